// What AWS fixes about IAM database tokens and Aurora DSQL: limits and name patterns that the config, the endpoint
// layer and the signers all rely on. Declared once, here.

/** The IAM plugin codes, named as in the AWS Advanced wrappers: iam (RDS and Aurora) and iam_dsql (Aurora DSQL). */
export const PLUGIN_CODES = ['iam', 'iam_dsql'] as const;
/** An IAM plugin code: `iam` for RDS and Aurora, `iam_dsql` for Aurora DSQL. */
export type PluginCode = (typeof PLUGIN_CODES)[number];

/** How long a token of each plugin is valid: RDS fixes 900 s (X-Amz-Expires=900); DSQL allows up to a week. */
export const TOKEN_LIFETIME_S: Readonly<Record<PluginCode, number>> = { iam: 900, iam_dsql: 604_800 };

/** A token is not served in its last 30 s (of its own life, or of its credentials'), so it cannot expire on the way. */
export const TOKEN_EXPIRY_MARGIN_S = 30;

/** How long a token of `plugin` is served from the cache when `iam_expiration` asks for `requestedS`. */
export function tokenCacheLifetimeS(requestedS: number, plugin: PluginCode): number {
  return Math.min(requestedS, TOKEN_LIFETIME_S[plugin]);
}

/** An Aurora DSQL cluster id: the first label of its endpoint (the DSQL API's identifier pattern). */
const DSQL_CLUSTER_ID_LABEL = '[a-z0-9]{26}';
export const DSQL_CLUSTER_ID = new RegExp(`^${DSQL_CLUSTER_ID_LABEL}$`);
/** How a DSQL cluster id looks, for messages. */
export const DSQL_CLUSTER_ID_SHAPE = '26 lowercase letters and digits, e.g. abcdefghijklmnopqrstuvwxyz';

/** A DSQL cluster endpoint, `<id>.dsql[-suffix].<region>.on.aws` (the region is checked by the caller). */
export const DSQL_ENDPOINT = new RegExp(
  `^${DSQL_CLUSTER_ID_LABEL}\\.dsql(?:-[a-z0-9]+)?\\.(?<region>[^.]+)\\.on\\.aws$`,
);

/** The endpoint of a DSQL cluster. */
export function dsqlEndpoint(clusterId: string, region: string): string {
  return `${clusterId}.dsql.${region}.on.aws`;
}

/** DSQL ends a connection after 60 minutes; its pools replace one 5 minutes before. */
export const DSQL_POOL_MAX_LIFETIME_S = 3300;
