import { DEFAULT_PORT, type Engine } from '../config/dsn.js';
import type { PluginCode } from '../aws-facts.js';
import { tokenHost, type ResolvedConfig } from '../config/resolve.js';
import { EndpointError, describeOrigin } from '../errors.js';
import { parseEndpoint } from './rds-host.js';
import type { ParsedEndpoint } from './rds-host.js';

/** Where a token's region came from. */
export type RegionOrigin = 'iam_region' | 'host' | 'DescribeGlobalClusters';

/** Everything a token is signed for. Two equal targets (plus one credential identity) share a token. */
export interface TokenTarget {
  readonly plugin: PluginCode;
  readonly engine: Engine;
  /** The host named in the token: `iam_host`, else the DSN host (normalised). */
  readonly host: string;
  readonly port: number;
  readonly region: string;
  readonly regionFrom: RegionOrigin;
  readonly user: string;
  readonly endpoint: ParsedEndpoint;
}

/** A target whose region is not known yet. */
export type TargetBase = Omit<TokenTarget, 'region' | 'regionFrom'>;

/** How to find the writer region of an Aurora global database endpoint when `iam_region` is not set. */
export interface GlobalWriterLookup {
  /** The global writer endpoint, as DescribeGlobalClusters reports a global cluster's `Endpoint`. */
  readonly endpoint: string;
  /** The region the API is called in (`iam_global_region`). */
  readonly homeRegion: string;
  /** How long a writer region is reused (`iam_global_ttl_s`). */
  readonly ttlMs: number;
  /** A lookup that has not answered after this long fails (`connect_timeout_ms`). */
  readonly timeoutMs: number;
}

/** What a token will be signed for: a whole target, or one whose region is the writer region of a global endpoint. */
export type TargetPlan =
  | { readonly kind: 'fixed'; readonly target: TokenTarget }
  | { readonly kind: 'global'; readonly base: TargetBase; readonly lookup: GlobalWriterLookup };

/**
 * Decides what a token is signed for, refusing hosts a token cannot be valid for. Never does I/O: for an Aurora
 * global database endpoint without `iam_region`, it plans the lookup of the writer's region instead.
 *
 * An `iam_host` that is not a recognised AWS endpoint name (kind `other`, e.g. a private DNS alias or a partition
 * this library does not know yet) is accepted only together with `iam_region`: both set is the user's explicit
 * statement of the real endpoint. An IP address is refused even then, because a token names a host, never an IP.
 */
export function planTokenTarget(config: ResolvedConfig): TargetPlan {
  const plugin = pluginOf(config);
  const endpoint = parseEndpoint(tokenHost(config));
  const hostKey = config.iam_host === undefined ? 'dsn' : 'iam_host';
  const hostFrom = originNote(config, hostKey);
  const hostName = hostKey === 'dsn' ? 'the DSN host' : hostKey;

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
      `Plugin iam_dsql${originNote(config, 'plugins')} needs an Aurora DSQL endpoint (<id>.dsql.<region>.on.aws), but ` +
        `${hostName} ${endpoint.host}${hostFrom} is an RDS ${endpoint.kind} endpoint. Use plugin iam for RDS and Aurora.`,
    );
  }
  if (plugin === 'iam' && endpoint.kind === 'dsql') {
    throw new EndpointError(
      `${hostKey === 'dsn' ? 'The DSN host' : hostKey} ${endpoint.host}${hostFrom} is an Aurora DSQL endpoint, ` +
        `but the plugin is iam${originNote(config, 'plugins')}. Use plugin iam_dsql for DSQL.`,
    );
  }
  const base: TargetBase = {
    plugin,
    engine: config.dsn.engine,
    host: endpoint.host,
    port: config.iam_default_port ?? config.dsn.port ?? DEFAULT_PORT[config.dsn.engine],
    user: config.dsn.user,
    endpoint,
  };
  if (config.iam_region !== undefined)
    return { kind: 'fixed', target: inRegion(base, config.iam_region, 'iam_region') };
  if (endpoint.kind === 'global') {
    return {
      kind: 'global',
      base,
      lookup: {
        endpoint: endpoint.host,
        homeRegion: config.iam_global_region,
        ttlMs: config.iam_global_ttl_s * 1000,
        timeoutMs: config.connect_timeout_ms,
      },
    };
  }
  if (endpoint.region === null) {
    throw new EndpointError(`Cannot tell the AWS region of ${endpoint.host}${hostFrom}; set iam_region.`);
  }
  return { kind: 'fixed', target: inRegion(base, endpoint.region, 'host') };
}

/** The target in one region. */
export function inRegion(base: TargetBase, region: string, regionFrom: RegionOrigin): TokenTarget {
  return { ...base, region, regionFrom };
}

/**
 * What a token is signed for, when that is known without I/O. A global database endpoint without `iam_region` is
 * refused here: its writer region is looked up when connecting (`tokenProviderFor(config).target()`).
 */
export function resolveTokenTarget(config: ResolvedConfig): TokenTarget {
  const plan = planTokenTarget(config);
  if (plan.kind === 'fixed') return plan.target;
  throw new EndpointError(
    `${plan.lookup.endpoint} is an Aurora global database endpoint, which names no region: the writer's region is ` +
      'looked up with DescribeGlobalClusters when connecting (tokenProviderFor(config).target() does it now), or set iam_region.',
  );
}

function pluginOf(config: ResolvedConfig): PluginCode {
  if (config.plugin === undefined) {
    throw new EndpointError(
      `Connection "${config.connection}" has no IAM plugin${originNote(config, 'plugins')}, so there is no token to sign. ` +
        'Add plugins: ["iam"] (RDS/Aurora) or ["iam_dsql"] (Aurora DSQL).',
    );
  }
  return config.plugin;
}

/** ` (from <source>)` for a key set anywhere but the defaults, for messages. */
function originNote(config: ResolvedConfig, key: string): string {
  const source = config.origins[key];
  return source === undefined || source.kind === 'default' ? '' : ` (from ${describeOrigin(source)})`;
}
