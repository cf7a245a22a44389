import type { Engine, PluginCode, ResolvedConfig } from '../config/types.js';
import { EndpointError } from '../errors.js';
import { endpointNames, sourceNote } from './names.js';
import { isRegion, parseEndpoint } from './rds-host.js';
import type { ParsedEndpoint } from './rds-host.js';

/** Everything a token is signed for. Two equal targets (plus one credential identity) share a token. */
export interface TokenTarget {
  readonly plugin: PluginCode;
  readonly engine: Engine;
  /** The host named in the token: `iam_host`, else the DSN host (normalised). */
  readonly host: string;
  readonly port: number;
  readonly region: string;
  readonly user: string;
  readonly endpoint: ParsedEndpoint;
}

const DEFAULT_PORT: Record<Engine, number> = { postgres: 5432, mysql: 3306 };

/**
 * Decides what a token is signed for, refusing hosts a token cannot be valid for.
 *
 * An `iam_host` that is not a recognised AWS endpoint name (kind `other`, e.g. a private DNS alias or a partition
 * this library does not know yet) is accepted only together with `iam_region`: both set is the user's explicit
 * statement of the real endpoint. An IP address is refused even then, because a token names a host, never an IP.
 */
export function resolveTokenTarget(config: ResolvedConfig): TokenTarget {
  const plugin = pluginOf(config);
  const names = endpointNames(config);
  const endpoint = parseEndpoint(names.iamHost);
  const hostKey = names.iamHostKey;
  const hostFrom = sourceNote(config, hostKey);

  if (endpoint.kind === 'ip') {
    throw new EndpointError(
      hostKey === 'dsn'
        ? `The DSN host ${endpoint.host}${hostFrom} is an IP address; an IAM token must name the RDS endpoint. ` +
            'Set iam_host to the real endpoint name (e.g. mydb.abc123.us-east-1.rds.amazonaws.com) and keep connecting to the IP.'
        : `iam_host ${endpoint.host}${hostFrom} is an IP address; set iam_host to the RDS endpoint name the database was created with.`,
    );
  }
  if (endpoint.kind === 'other') {
    if (hostKey === 'dsn') {
      throw new EndpointError(
        `The DSN host ${JSON.stringify(endpoint.host)}${hostFrom} is not an RDS, Aurora or DSQL endpoint name. ` +
          'If it is an alias (custom DNS, a tunnel, localhost), set iam_host to the real endpoint name, which the token is signed for.',
      );
    }
    if (config.iam_region === undefined) {
      throw new EndpointError(
        `iam_host ${JSON.stringify(endpoint.host)}${hostFrom} is not a recognised RDS, Aurora or DSQL endpoint name. ` +
          'Correct it, or set iam_region as well to sign for this exact host anyway.',
      );
    }
  }
  if (plugin === 'iam_dsql' && endpoint.kind !== 'dsql' && endpoint.kind !== 'other') {
    throw new EndpointError(
      `Plugin iam_dsql${sourceNote(config, 'plugins')} needs an Aurora DSQL endpoint (<id>.dsql.<region>.on.aws), but ` +
        `${hostKey === 'dsn' ? 'the DSN host' : hostKey} ${endpoint.host}${hostFrom} is an RDS ${endpoint.kind} endpoint. ` +
        'Use plugin iam for RDS and Aurora.',
    );
  }
  if (plugin === 'iam' && endpoint.kind === 'dsql') {
    throw new EndpointError(
      `${hostKey === 'dsn' ? 'The DSN host' : hostKey} ${endpoint.host}${hostFrom} is an Aurora DSQL endpoint, ` +
        `but the plugin is iam${sourceNote(config, 'plugins')}. Use plugin iam_dsql for DSQL.`,
    );
  }
  if (plugin === 'iam_dsql' && config.dsn.engine !== 'postgres') {
    throw new EndpointError(
      `Aurora DSQL speaks the PostgreSQL protocol, but the DSN${sourceNote(config, 'dsn')} is ${config.dsn.protocol}//. Use postgres://.`,
    );
  }
  if (endpoint.kind === 'global' && config.iam_region === undefined) {
    throw new EndpointError(
      `${endpoint.host}${hostFrom} is an Aurora global database endpoint, which names no region. ` +
        'Set iam_region to the region of the cluster it currently routes to.',
    );
  }
  if (config.iam_region !== undefined && !isRegion(config.iam_region)) {
    throw new EndpointError(
      `iam_region ${JSON.stringify(config.iam_region)}${sourceNote(config, 'iam_region')} is not an AWS region name (e.g. us-east-1).`,
    );
  }
  const region = config.iam_region ?? endpoint.region;
  if (region === null) {
    throw new EndpointError(`Cannot tell the AWS region of ${endpoint.host}${hostFrom}; set iam_region.`);
  }
  if (config.dsn.user === '') {
    throw new EndpointError(
      `The DSN${sourceNote(config, 'dsn')} names no user; an IAM token is signed for one database user. Add it: ${config.dsn.engine}://USER@host/db.`,
    );
  }
  return {
    plugin,
    engine: config.dsn.engine,
    host: endpoint.host,
    port: config.iam_default_port ?? config.dsn.port ?? DEFAULT_PORT[config.dsn.engine],
    region,
    user: config.dsn.user,
    endpoint,
  };
}

function pluginOf(config: ResolvedConfig): PluginCode {
  const iam = config.plugins.includes('iam');
  const dsql = config.plugins.includes('iam_dsql');
  if (iam && dsql) {
    throw new EndpointError(
      `plugins${sourceNote(config, 'plugins')} lists both iam and iam_dsql; keep iam for RDS/Aurora or iam_dsql for Aurora DSQL.`,
    );
  }
  if (!iam && !dsql) {
    throw new EndpointError(
      `Connection "${config.connection}" has no IAM plugin${sourceNote(config, 'plugins')}, so there is no token to sign. ` +
        'Add plugins: ["iam"] (RDS/Aurora) or ["iam_dsql"] (Aurora DSQL).',
    );
  }
  return dsql ? 'iam_dsql' : 'iam';
}
