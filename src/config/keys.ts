import { resolve as resolvePath } from 'node:path';
import {
  DSQL_CLUSTER_ID,
  DSQL_CLUSTER_ID_SHAPE,
  DSQL_POOL_MAX_LIFETIME_S,
  PLUGIN_CODES,
  TOKEN_EXPIRY_MARGIN_S,
  TOKEN_LIFETIME_S,
  type PluginCode,
} from '../aws-facts.js';
import { isPem } from '../pem.js';
import { isRegion } from '../region.js';
import { parseDsn, type ParsedDsn } from './dsn.js';
import { describeValue, knownNames } from './messages.js';
import { invalid, type Resolution, type WrittenKeys } from './key.js';
import { check, group, HOST, key, oneOf, region, text, wholeNumber } from './key-builders.js';

// The key table: every config key is declared here once. Types, env names, the JSON Schema, the keys
// `rdsiam check` lists and the key table in docs/configuration.md are all derived from it.

const SSL_MODES = ['verify-full', 'verify-ca', 'require', 'disable'] as const;
/** How TLS is verified (`ssl.mode`). */
export type SslMode = (typeof SSL_MODES)[number];

const CREDENTIALS_SOURCES = [
  'chain',
  'env',
  'ini',
  'process',
  'login',
  'container',
  'instance',
  'web_identity',
] as const;
/** Where AWS credentials come from (`aws_credentials_source`). */
export type CredentialsSource = (typeof CREDENTIALS_SOURCES)[number];

/** The session name for aws_role_arn when aws_role_session_name is not set. */
export const DEFAULT_ROLE_SESSION_NAME = 'rdsiam';

/** The most connections pg's and mysql2's pools open when pool.max is not set. */
export const DRIVER_POOL_MAX = 10;

/** The CA to trust, as `ssl.ca` resolves: PEM text, or an absolute file path. */
type TrustedCa = { readonly pem: string } | { readonly file: string };

/**
 * Reads `plugins` in either form (a list, or a comma-separated string where `none` means no plugin),
 * rejecting unknown codes and the iam + iam_dsql combination.
 */
function parsePlugins(value: unknown): Resolution<PluginCode[]> {
  const fail = (problem: string): Resolution<PluginCode[]> => ({ ok: false, problem });
  let names: unknown[];
  if (typeof value === 'string') {
    names =
      value.trim().toLowerCase() === 'none'
        ? []
        : value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
  } else if (Array.isArray(value)) {
    names = value;
  } else {
    return fail(
      `must be a list of plugin codes (${PLUGIN_CODES.join(', ')}) or a comma-separated string of them, got ${describeValue(value)}`,
    );
  }
  const codes: PluginCode[] = [];
  for (const name of names) {
    if (typeof name !== 'string' || !(PLUGIN_CODES as readonly string[]).includes(name)) {
      return fail(
        `has unknown plugin code ${describeValue(name)}${knownNames(String(name), PLUGIN_CODES, 'known codes')}`,
      );
    }
    if (!codes.includes(name as PluginCode)) codes.push(name as PluginCode);
  }
  if (codes.includes('iam') && codes.includes('iam_dsql')) {
    return fail('cannot combine iam and iam_dsql: use iam for RDS and Aurora, iam_dsql for Aurora DSQL');
  }
  return { ok: true, value: codes };
}

/** The keys of one connection: the top level (the `default` connection) and each entry of `connections`. */
export const CONNECTION_KEYS = {
  dsn: key({
    check: text('a postgres://, postgresql:// or mysql:// URL'),
    required: true,
    doc:
      'The database URL: postgres://, postgresql:// or mysql://user@host:port/database?params; user and host required. ' +
      'No password while an IAM plugin is on (the token replaces it). A DATABASE_URL variable gives it when nothing else does.',
    example: 'postgres://app@db.cluster-x.us-east-1.rds.amazonaws.com/app',
    env: [{ variable: 'DATABASE_URL', configures: true }],
    show: (dsn: ParsedDsn) => dsn.redacted,
    resolve: (value: string) => parseDsn(value),
  }),
  plugins: key({
    check: check(
      (z) =>
        z.union([z.array(z.enum(PLUGIN_CODES)), z.string()], {
          error: (issue) => {
            const parsed = parsePlugins(issue.input);
            return parsed.ok
              ? invalid(`a list of plugin codes (${PLUGIN_CODES.join(', ')}) or a comma-separated string of them`)(
                  issue,
                )
              : parsed.problem;
          },
        }),
      (value) =>
        typeof value === 'string' ||
        (Array.isArray(value) && value.every((code) => (PLUGIN_CODES as readonly unknown[]).includes(code))),
    ),
    default: [] as PluginCode[],
    doc:
      'Authentication plugins, as a list or a comma-separated string: iam (RDS and Aurora IAM database auth) or ' +
      'iam_dsql (Aurora DSQL), never both. "none" or [] for plain password auth.',
    example: 'iam',
    show: (codes: PluginCode[]) => (codes.length > 0 ? codes.join(',') : 'none'),
    resolve: parsePlugins,
  }),
  iam_host: key({
    check: text('a host name without scheme or port, e.g. mydb.cluster-abc123.us-east-1.rds.amazonaws.com', HOST),
    doc:
      'The host name the IAM token is signed for, and the server certificate must name, when the DSN connects ' +
      'through another name (a proxy, a tunnel, an IP).',
    fallback: 'the DSN host',
    example: 'db.c9akciq32.us-east-1.rds.amazonaws.com',
  }),
  iam_region: key({
    check: region(),
    doc: 'The AWS region the token is signed for, in lowercase.',
    fallback: 'from the host name',
    example: 'eu-west-1',
  }),
  iam_default_port: key({
    check: wholeNumber(1, 65_535, 'a whole number from 1 to 65535'),
    doc: 'The port the token is signed for, when it differs from the DSN port.',
    fallback: 'the DSN port, else 5432 / 3306',
    example: 5432,
  }),
  iam_expiration: key({
    check: wholeNumber(
      1,
      TOKEN_LIFETIME_S.iam_dsql,
      `a whole number of seconds from 1 to ${TOKEN_LIFETIME_S.iam} (${TOKEN_LIFETIME_S.iam_dsql} with iam_dsql)`,
    ),
    // A cached token is not served in its last seconds, so it cannot expire on the way to the server.
    default: TOKEN_LIFETIME_S.iam - TOKEN_EXPIRY_MARGIN_S,
    doc:
      `Seconds a signed token is reused from the cache, counted from signing. At most ${TOKEN_LIFETIME_S.iam} ` +
      `(tokens live ${TOKEN_LIFETIME_S.iam} s), or ${TOKEN_LIFETIME_S.iam_dsql} with iam_dsql.`,
    example: 600,
  }),
  iam_global_region: key({
    check: region(),
    default: 'us-east-1',
    // The SDK's own region variable, taken only when it names a region.
    env: [{ variable: 'AWS_REGION', configures: false, accepts: isRegion }],
    doc:
      'The region DescribeGlobalClusters is called in to find the writer region of an Aurora global database ' +
      'endpoint, when iam_region is not set. An AWS_REGION variable that names a region gives it when nothing else does.',
    example: 'eu-west-1',
  }),
  iam_global_ttl_s: key({
    check: wholeNumber(1, 86_400, 'a whole number of seconds from 1 to 86400'),
    default: 300,
    doc:
      "Seconds a global database endpoint's writer region is reused before it is looked up again. " +
      'A refused login looks it up at once, so a failover heals sooner.',
    example: 60,
  }),
  dsql_cluster_id: key({
    check: text(`an Aurora DSQL cluster id: ${DSQL_CLUSTER_ID_SHAPE}`, DSQL_CLUSTER_ID),
    doc:
      'An Aurora DSQL cluster id. With iam_region it names the endpoint <id>.dsql.<region>.on.aws that the token is ' +
      'signed for and the certificate must name, as iam_host does; the DSN host stays where to connect. Plugin iam_dsql only.',
    example: 'abcdefghijklmnopqrstuvwxyz',
  }),
  ssl: group('TLS settings. Default: verify-full against the Amazon RDS CA bundle.', {
    mode: key({
      check: oneOf(SSL_MODES),
      default: 'verify-full' as SslMode,
      doc:
        'TLS verification. verify-full checks the certificate chain and the host name; verify-ca only the chain. ' +
        'require (no verification) and disable are refused while an IAM plugin is on: the token is a bearer credential.',
      example: 'verify-full',
    }),
    ca: key({
      check: text('a file path or PEM text'),
      doc: 'The CA certificates to trust: a file path (relative to the config file) or PEM text.',
      fallback: 'the Amazon RDS CA bundle',
      example: './certs/global-bundle.pem',
      show: (ca: TrustedCa) => ('pem' in ca ? '(PEM text)' : ca.file),
      resolve: (value: string, { baseDir }): Resolution<TrustedCa> => ({
        ok: true,
        value: isPem(value) ? { pem: value } : { file: resolvePath(baseDir, value) },
      }),
    }),
    servername: key({
      check: text('a host name', HOST),
      doc: 'The host name the server certificate must name (TLS SNI), when it differs from iam_host and the DSN host.',
      fallback: 'iam_host, else the DSN host',
      example: 'db.cluster-x.us-east-1.rds.amazonaws.com',
    }),
  }),
  aws_credentials_source: key({
    check: oneOf(CREDENTIALS_SOURCES),
    default: 'chain' as CredentialsSource,
    doc:
      'Where AWS credentials come from: chain (the default provider chain), env, ini (shared files), process, ' +
      'login (an `aws login` session), container (ECS/EKS), instance (EC2 IMDS) or web_identity.',
    example: 'container',
  }),
  aws_profile: key({
    check: text('an AWS profile name'),
    doc: 'The profile in ~/.aws/config and ~/.aws/credentials to take credentials from.',
    fallback: 'the SDK default',
    example: 'prod',
  }),
  aws_role_arn: key({
    check: text(
      'an IAM role ARN such as arn:aws:iam::123456789012:role/db-login',
      /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
    ),
    doc: 'A role to assume with the base credentials before signing.',
    example: 'arn:aws:iam::123456789012:role/db',
  }),
  aws_role_session_name: key({
    check: text('a session name of 2-64 characters from A-Z a-z 0-9 +=,.@_-', /^[\w+=,.@-]{2,64}$/),
    doc: 'The session name for aws_role_arn (shows in CloudTrail).',
    fallback: DEFAULT_ROLE_SESSION_NAME,
    example: 'orders-api',
  }),
  aws_external_id: key({
    check: text('an external ID of 2-1224 characters from A-Z a-z 0-9 +=,.@:/_-', /^[\w+=,.@:/-]{2,1224}$/),
    // A shared secret with the role's owner: check says whether it is set, not what it is.
    secret: true,
    doc: 'The external ID the trust policy of aws_role_arn requires.',
    example: 'b7c1…',
  }),
  connect_timeout_ms: key({
    check: wholeNumber(1, 600_000, 'a whole number of milliseconds from 1 to 600000'),
    default: 10_000,
    doc: 'Milliseconds to wait for a connection: credentials, signing and the database handshake.',
    example: 5000,
  }),
  connect_retry_budget_ms: key({
    check: wholeNumber(0, 600_000, 'a whole number of milliseconds from 0 to 600000'),
    // About an Aurora failover: a new connection rides through one instead of failing.
    default: 30_000,
    doc:
      'Milliseconds a new connection keeps retrying, with jittered backoff, while the server is starting up, shutting ' +
      'down, refusing, resetting or stalling connections (restart, failover, Serverless v2 resume) or RDS Proxy ' +
      'throttles logins. Each attempt still has connect_timeout_ms. 0: no retries. Queries in flight are never retried.',
    example: 60000,
  }),
  iam_max_new_connections_per_s: key({
    check: wholeNumber(1, 100_000, 'a whole number from 1 to 100000'),
    doc:
      'The most new IAM logins per second this process starts to one host and port (a token bucket), for fleets near ' +
      "RDS's advice of about 200 new IAM connections per second. A login waits for its turn within connect_timeout_ms.",
    fallback: 'no limit',
    example: 100,
  }),
  pool: group('Connection pool settings.', {
    max: key({
      check: wholeNumber(1, 10_000, 'a whole number from 1 to 10000'),
      doc: 'The most connections the pool opens at once.',
      fallback: `the driver default (${DRIVER_POOL_MAX})`,
      example: 20,
    }),
    idle_timeout_ms: key({
      check: wholeNumber(0, 86_400_000, 'a whole number of milliseconds from 0 to 86400000'),
      doc: 'Milliseconds an idle pooled connection is kept before it is closed (0: never).',
      fallback: 'the driver default',
      example: 30000,
    }),
    max_lifetime_s: key({
      check: wholeNumber(0, 604_800, 'a whole number of seconds from 0 to 604800'),
      doc: 'Seconds a pooled connection lives before the pool closes and replaces it (0: no limit).',
      fallback: `${DSQL_POOL_MAX_LIFETIME_S} with iam_dsql (DSQL ends a connection after 60 minutes), else no limit`,
      pluginDefault: { iam_dsql: DSQL_POOL_MAX_LIFETIME_S },
      example: 1800,
    }),
  }),
};

export type ConnectionKeys = typeof CONNECTION_KEYS;

/** One connection's keys, as written at the top level or under `connections`. */
type ConnectionConfigInput = WrittenKeys<ConnectionKeys>;

/** The config as a user writes it (a file, `defineConfig`, or `overrides` in code). */
export interface RdsIamConfigInput extends ConnectionConfigInput {
  /** The JSON Schema of this file, for editors. */
  $schema?: string;
  /** Named connections (e.g. reader), each merged over the top-level keys. The top level is `default`. */
  connections?: Record<string, ConnectionConfigInput>;
}

/**
 * Types a config written in code, e.g. `export default defineConfig({ dsn: '...', plugins: ['iam'] })`
 * in `rdsiam.config.ts`. Returns its argument unchanged; validation happens when it is loaded.
 */
export function defineConfig(config: RdsIamConfigInput): RdsIamConfigInput {
  return config;
}
