import { DEFAULT_PORT, type Engine } from '../config/dsn.js';
import type { PluginCode } from '../config/keys.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { EndpointError, describeSource } from '../errors.js';
import { parseEndpoint } from './rds-host.js';
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

/**
 * Decides what a token is signed for, refusing hosts a token cannot be valid for.
 *
 * An `iam_host` that is not a recognised AWS endpoint name (kind `other`, e.g. a private DNS alias or a partition
 * this library does not know yet) is accepted only together with `iam_region`: both set is the user's explicit
 * statement of the real endpoint. An IP address is refused even then, because a token names a host, never an IP.
 */
export function resolveTokenTarget(config: ResolvedConfig): TokenTarget {
  const plugin = pluginOf(config);
  const endpoint = parseEndpoint(config.iam_host ?? config.dsn.host);
  const hostKey = config.iam_host === undefined ? 'dsn' : 'iam_host';
  const hostFrom = from(config, hostKey);

  if (endpoint.kind === 'ip') {
    throw new EndpointError(
      config.iam_host === undefined
        ? `The DSN host ${endpoint.host}${hostFrom} is an IP address; an IAM token must name the RDS endpoint. ` +
            'Set iam_host to the real endpoint name (e.g. mydb.abc123.us-east-1.rds.amazonaws.com) and keep connecting to the IP.'
        : `iam_host ${endpoint.host}${hostFrom} is an IP address; set iam_host to the RDS endpoint name the database was created with.`,
    );
  }
  if (endpoint.kind === 'other') {
    if (config.iam_host === undefined) {
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
      `Plugin iam_dsql${from(config, 'plugins')} needs an Aurora DSQL endpoint (<id>.dsql.<region>.on.aws), but ` +
        `${hostKey === 'dsn' ? 'the DSN host' : 'iam_host'} ${endpoint.host}${hostFrom} is an RDS ${endpoint.kind} endpoint. ` +
        'Use plugin iam for RDS and Aurora.',
    );
  }
  if (plugin === 'iam' && endpoint.kind === 'dsql') {
    throw new EndpointError(
      `${hostKey === 'dsn' ? 'The DSN host' : 'iam_host'} ${endpoint.host}${hostFrom} is an Aurora DSQL endpoint, ` +
        `but the plugin is iam${from(config, 'plugins')}. Use plugin iam_dsql for DSQL.`,
    );
  }
  if (endpoint.kind === 'global' && config.iam_region === undefined) {
    throw new EndpointError(
      `${endpoint.host}${hostFrom} is an Aurora global database endpoint, which names no region. ` +
        'Set iam_region to the region of the cluster it currently routes to.',
    );
  }
  const region = config.iam_region ?? endpoint.region;
  if (region === null) {
    throw new EndpointError(`Cannot tell the AWS region of ${endpoint.host}${hostFrom}; set iam_region.`);
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

// The config layer has already refused iam together with iam_dsql.
function pluginOf(config: ResolvedConfig): PluginCode {
  const dsql = config.plugins.includes('iam_dsql');
  if (!dsql && !config.plugins.includes('iam')) {
    throw new EndpointError(
      `Connection "${config.connection}" has no IAM plugin${from(config, 'plugins')}, so there is no token to sign. ` +
        'Add plugins: ["iam"] (RDS/Aurora) or ["iam_dsql"] (Aurora DSQL).',
    );
  }
  return dsql ? 'iam_dsql' : 'iam';
}

function from(config: ResolvedConfig, key: string): string {
  const source = config.sources[key];
  return source === undefined || source.kind === 'default' ? '' : ` (from ${describeSource(source)})`;
}
