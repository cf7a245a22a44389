import { isIP } from 'node:net';
import type { ResolvedConfig } from '../config/types.js';
import { ConfigError, EndpointError, describeSource } from '../errors.js';
import { DSQL_CLUSTER_ID, DSQL_CLUSTER_ID_SHAPE } from './rds-host.js';

/** The host names one connection uses, the Aurora DSQL cluster-id shorthand expanded. */
export interface EndpointNames {
  /** Where the socket goes: the DSN host, a bare DSQL cluster id expanded to its endpoint. */
  readonly connectHost: string;
  /** The name a token is signed for and the certificate must carry, unless `ssl.servername` says otherwise. */
  readonly iamHost: string;
  /** The config key that gave `iamHost`, for messages. */
  readonly iamHostKey: 'dsn' | 'iam_host' | 'dsql_cluster_id';
}

/** The endpoint of a DSQL cluster: `<id>.dsql.<region>.on.aws`. */
export function dsqlEndpoint(clusterId: string, region: string): string {
  return `${clusterId}.dsql.${region}.on.aws`;
}

/**
 * The names a connection dials and signs for. As in AWS's DSQL connectors, with plugin `iam_dsql` a DSN host that is
 * one label is a cluster id, expanded with `iam_region`; `dsql_cluster_id` (with `iam_region`) names the signed-for
 * endpoint the way `iam_host` does, while the DSN host stays the place to connect to.
 */
export function endpointNames(config: ResolvedConfig): EndpointNames {
  const connectHost = connectHostOf(config);
  if (config.iam_host !== undefined) return { connectHost, iamHost: config.iam_host, iamHostKey: 'iam_host' };
  // The config layer requires iam_region with dsql_cluster_id; a config built by hand without it names no endpoint.
  if (config.dsql_cluster_id !== undefined && config.iam_region !== undefined) {
    return { connectHost, iamHost: dsqlEndpoint(config.dsql_cluster_id, config.iam_region), iamHostKey: 'dsql_cluster_id' };
  }
  return { connectHost, iamHost: connectHost, iamHostKey: 'dsn' };
}

function connectHostOf(config: ResolvedConfig): string {
  const host = config.dsn.host;
  if (!config.plugins.includes('iam_dsql') || host.includes('.') || isIP(host) !== 0) return host;
  const id = host.toLowerCase();
  if (DSQL_CLUSTER_ID.test(id)) {
    if (config.iam_region === undefined) {
      throw new EndpointError(
        `The DSN host ${id}${sourceNote(config, 'dsn')} is an Aurora DSQL cluster id; set iam_region to name its ` +
          `endpoint ${dsqlEndpoint(id, '<region>')}, or write that endpoint as the DSN host.`,
      );
    }
    return dsqlEndpoint(id, config.iam_region);
  }
  // A one-label host signed for as itself can only be a mistyped cluster id; with iam_host or dsql_cluster_id it is an alias.
  if (config.iam_host === undefined && config.dsql_cluster_id === undefined) {
    throw new ConfigError([
      {
        path: 'dsn',
        ...(config.sources['dsn'] === undefined ? {} : { source: config.sources['dsn'] }),
        message:
          `has host ${JSON.stringify(host)}, which is neither an Aurora DSQL cluster id (${DSQL_CLUSTER_ID_SHAPE}) nor a ` +
          `DSQL endpoint (${dsqlEndpoint('<id>', '<region>')}). If it is an alias (localhost, a tunnel), set iam_host ` +
          'or dsql_cluster_id to name the endpoint the token is signed for.',
      },
    ]);
  }
  return host;
}

/** ` (from <source>)` for a key set anywhere but the defaults, for messages. */
export function sourceNote(config: ResolvedConfig, key: string): string {
  const source = config.sources[key];
  return source === undefined || source.kind === 'default' ? '' : ` (from ${describeSource(source)})`;
}
