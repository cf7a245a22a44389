import { z } from 'zod';
import { DSQL_CLUSTER_ID, DSQL_CLUSTER_ID_SHAPE } from '../endpoint/rds-host.js';
import { describeValue } from './describe-value.js';
import { parsePlugins } from './plugins.js';
import type { CredentialsSource, PluginCode, SslMode } from './types.js';

export const PLUGIN_CODES = ['iam', 'iam_dsql'] as const satisfies readonly PluginCode[];
export const SSL_MODES = ['verify-full', 'verify-ca', 'require', 'disable'] as const satisfies readonly SslMode[];
export const CREDENTIALS_SOURCES = [
  'chain',
  'env',
  'ini',
  'process',
  'container',
  'instance',
  'web_identity',
] as const satisfies readonly CredentialsSource[];

/** RDS and Aurora IAM tokens live 900 s; a DSQL token may be signed for up to a week. */
export const MAX_IAM_EXPIRATION = 900;
export const MAX_DSQL_EXPIRATION = 604_800;

/** The values used when no layer sets a key. Also shown as `default` in the JSON Schema. */
export const DEFAULTS = {
  plugins: [] as PluginCode[],
  // A cached token is not served in its last 30 s, so it cannot expire on the way to the server.
  iam_expiration: 870,
  ssl_mode: 'verify-full' as SslMode,
  aws_credentials_source: 'chain' as CredentialsSource,
  connect_timeout_ms: 10_000,
  // The region DescribeGlobalClusters is called in when neither iam_global_region nor AWS_REGION is set.
  iam_global_region: 'us-east-1',
  iam_global_ttl_s: 300,
  // DSQL closes a connection after 60 minutes; a pool replaces it 5 minutes before.
  dsql_pool_max_lifetime_s: 3300,
};
/** Seconds a pooled connection may live at most (a week; pg's timer also caps what it can wait). */
export const MAX_POOL_LIFETIME_S = 604_800;

const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const REGION = /^[a-zA-Z]{2,4}(?:-[a-zA-Z]+)+-\d+$/;
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
export const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** A zod error function whose message says what is expected and what was got (made safe to print). */
function invalid(expected: string) {
  return (issue: { input?: unknown }) => `must be ${expected}, got ${describeValue(issue.input)}`;
}

function text(expected: string, pattern?: RegExp) {
  const error = invalid(expected);
  const base = z.string({ error }).min(1, { error });
  return pattern === undefined ? base : base.regex(pattern, { error });
}

function wholeNumber(min: number, max: number, expected: string) {
  const error = invalid(expected);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: invalid(`one of ${values.join(', ')}`) });
}

const pluginsError = (issue: { input?: unknown }) => {
  const parsed = parsePlugins(issue.input);
  return parsed.ok
    ? `must be a list of plugin codes (${PLUGIN_CODES.join(', ')}) or a comma-separated string of them, got ${describeValue(issue.input)}`
    : parsed.problem;
};

const sslSchema = z.strictObject(
  {
    mode: oneOf(SSL_MODES)
      .optional()
      .describe(
        'TLS verification. verify-full checks the certificate chain and the host name; verify-ca only the chain. ' +
          'require (no verification) and disable are refused while an IAM plugin is on: the token is a bearer credential.',
      )
      .meta({ default: DEFAULTS.ssl_mode }),
    ca: text('a file path or PEM text')
      .optional()
      .describe(
        'The CA certificates to trust: a file path (relative to the config file) or PEM text. ' +
          'Absent: the Amazon RDS CA bundle.',
      ),
    servername: text('a host name', HOST)
      .optional()
      .describe('The host name to verify the server certificate against (TLS SNI), when it differs from the DSN host.'),
  },
  { error: invalid('an object with mode, ca and servername') },
);

const poolSchema = z.strictObject(
  {
    max: wholeNumber(1, 10_000, 'a whole number from 1 to 10000')
      .optional()
      .describe('The most connections the pool opens at once.'),
    idle_timeout_ms: wholeNumber(0, 86_400_000, 'a whole number of milliseconds from 0 to 86400000')
      .optional()
      .describe('Milliseconds an idle pooled connection is kept before it is closed (0: never).'),
    max_lifetime_s: wholeNumber(0, MAX_POOL_LIFETIME_S, `a whole number of seconds from 0 to ${MAX_POOL_LIFETIME_S}`)
      .optional()
      .describe(
        'Seconds a pooled connection lives before the pool closes and replaces it (0: no limit). ' +
          `Default with iam_dsql: ${DEFAULTS.dsql_pool_max_lifetime_s} (DSQL ends a connection after 60 minutes); else no limit.`,
      ),
  },
  { error: invalid('an object with max, idle_timeout_ms and max_lifetime_s') },
);

/** The keys of one connection: the top level (the `default` connection) and each entry of `connections`. */
const connectionShape = {
  dsn: text('a postgres://, postgresql:// or mysql:// URL')
    .optional()
    .describe(
      'The database URL: postgres://, postgresql:// or mysql://user@host:port/database?params. ' +
        'No password while an IAM plugin is on (the token replaces it). Env: RDSIAM_DSN, else DATABASE_URL.',
    ),
  plugins: z
    .union([z.array(z.enum(PLUGIN_CODES)), z.string()], { error: pluginsError })
    .optional()
    .describe(
      'Authentication plugins, as a list or a comma-separated string: iam (RDS and Aurora IAM database auth) or ' +
        'iam_dsql (Aurora DSQL). "none" or [] for plain password auth.',
    )
    .meta({ default: DEFAULTS.plugins }),
  iam_host: text('a host name without scheme or port, e.g. mydb.cluster-abc123.us-east-1.rds.amazonaws.com', HOST)
    .optional()
    .describe('The host name the IAM token is signed for, when the DSN connects through another name (a proxy, a tunnel, an IP).'),
  iam_region: text('an AWS region name such as us-east-1', REGION)
    .optional()
    .describe('The AWS region the token is signed for. Absent: derived from the RDS host name.'),
  iam_default_port: wholeNumber(1, 65_535, 'a whole number from 1 to 65535')
    .optional()
    .describe('The port the token is signed for when the DSN has none.'),
  iam_expiration: wholeNumber(
    1,
    MAX_DSQL_EXPIRATION,
    `a whole number of seconds from 1 to ${MAX_IAM_EXPIRATION} (${MAX_DSQL_EXPIRATION} with iam_dsql)`,
  )
    .optional()
    .describe(
      `Seconds a signed token is reused from the cache. At most ${MAX_IAM_EXPIRATION} (tokens live 900 s), ` +
        `or ${MAX_DSQL_EXPIRATION} with iam_dsql.`,
    )
    .meta({ default: DEFAULTS.iam_expiration }),
  iam_global_region: text('an AWS region name such as us-east-1', REGION)
    .optional()
    .describe(
      'The region DescribeGlobalClusters is called in to find the writer region of an Aurora global database ' +
        `endpoint (when iam_region is not set). Absent: AWS_REGION, else ${DEFAULTS.iam_global_region}.`,
    ),
  iam_global_ttl_s: wholeNumber(1, 86_400, 'a whole number of seconds from 1 to 86400')
    .optional()
    .describe(
      "Seconds a global database endpoint's writer region is reused before it is looked up again. " +
        'A refused login looks it up at once, so a failover heals sooner.',
    )
    .meta({ default: DEFAULTS.iam_global_ttl_s }),
  dsql_cluster_id: text(`an Aurora DSQL cluster id: ${DSQL_CLUSTER_ID_SHAPE}`, DSQL_CLUSTER_ID)
    .optional()
    .describe(
      'An Aurora DSQL cluster id; with iam_region it names the endpoint <id>.dsql.<region>.on.aws, which the token ' +
        'is signed for and the certificate must name (the DSN host is still where to connect). Needs plugin iam_dsql.',
    ),
  ssl: sslSchema.optional().describe('TLS settings. Default: verify-full against the Amazon RDS CA bundle.'),
  aws_profile: text('an AWS profile name')
    .optional()
    .describe('The profile in ~/.aws/config and ~/.aws/credentials to take credentials from.'),
  aws_credentials_source: oneOf(CREDENTIALS_SOURCES)
    .optional()
    .describe(
      'Where AWS credentials come from: chain (the default provider chain), env, ini (shared files), process, ' +
        'container (ECS/EKS), instance (EC2 IMDS) or web_identity.',
    )
    .meta({ default: DEFAULTS.aws_credentials_source }),
  aws_role_arn: text('an IAM role ARN such as arn:aws:iam::123456789012:role/db-login', ROLE_ARN)
    .optional()
    .describe('A role to assume with the base credentials before signing.'),
  aws_role_session_name: text('a session name of 2-64 characters from A-Z a-z 0-9 +=,.@_-', SESSION_NAME)
    .optional()
    .describe('The session name for aws_role_arn (shows in CloudTrail).'),
  aws_external_id: text('an external ID of 2-1224 characters from A-Z a-z 0-9 +=,.@:/_-', EXTERNAL_ID)
    .optional()
    .describe('The external ID the role trust policy of aws_role_arn requires.'),
  connect_timeout_ms: wholeNumber(1, 600_000, 'a whole number of milliseconds from 1 to 600000')
    .optional()
    .describe('Milliseconds to wait for a connection (credentials, signing and the database handshake).')
    .meta({ default: DEFAULTS.connect_timeout_ms }),
  pool: poolSchema.optional().describe('Connection pool settings.'),
};

export const connectionSchema = z.strictObject(connectionShape, {
  error: invalid('an object of rdsiam connection keys'),
});

/** The whole config document, as written in `.rdsiamrc` and friends, in env or in code. */
export const configSchema = z
  .strictObject(
    {
      $schema: z.string({ error: invalid('a JSON Schema URL or path') }).optional().describe('The JSON Schema of this file, for editors.'),
      ...connectionShape,
      connections: z
        .record(
          z.string().regex(CONNECTION_NAME),
          connectionSchema.describe('A named connection: any top-level key, overriding the top level for this connection.'),
          {
            error: (issue) =>
              issue.code === 'invalid_key'
                ? 'is not a valid connection name: use letters, digits, _ and -, starting with a letter or digit'
                : invalid('an object mapping connection names to connection settings')(issue),
          },
        )
        .optional()
        .describe('Named connections (e.g. reader), each merged over the top-level keys. The top level is `default`.'),
    },
    { error: invalid('an object of rdsiam config keys') },
  )
  .describe('rdsiam: AWS IAM database authentication for Amazon RDS, Aurora and Aurora DSQL.');

/** The config as a user writes it (file, `defineConfig`, or `overrides` in code). */
export type RdsIamConfigInput = z.input<typeof configSchema>;
/** One connection's keys, as written at the top level or under `connections`. */
export type ConnectionConfigInput = z.input<typeof connectionSchema>;
