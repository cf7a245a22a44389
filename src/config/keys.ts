import { resolve as resolvePath } from 'node:path';
import * as z from 'zod/mini';
import { REGION, isRegion, regionProblem } from '../region.js';
import { parseDsn, type ParsedDsn } from './dsn.js';
import { describeValue, knownNames } from './messages.js';

// The key table: every config key is declared here once. Types, env names, the JSON Schema, the keys
// `rdsiam check` lists and the key table in docs/configuration.md are all derived from it.

const PLUGIN_CODES = ['iam', 'iam_dsql'] as const;
/** The IAM plugin codes, named as in the AWS Advanced wrappers. */
export type PluginCode = (typeof PLUGIN_CODES)[number];

const SSL_MODES = ['verify-full', 'verify-ca', 'require', 'disable'] as const;
export type SslMode = (typeof SSL_MODES)[number];

const CREDENTIALS_SOURCES = ['chain', 'env', 'ini', 'process', 'container', 'instance', 'web_identity'] as const;
export type CredentialsSource = (typeof CREDENTIALS_SOURCES)[number];

/** How long a token of each plugin is valid: RDS fixes 900 s (X-Amz-Expires=900); DSQL allows up to a week. */
export const TOKEN_LIFETIME_S: Readonly<Record<PluginCode, number>> = { iam: 900, iam_dsql: 604_800 };

/** An Aurora DSQL cluster id: the first label of its endpoint (the DSQL API's identifier pattern). */
export const DSQL_CLUSTER_ID = /^[a-z0-9]{26}$/;
/** How a DSQL cluster id looks, for messages. */
export const DSQL_CLUSTER_ID_SHAPE = '26 lowercase letters and digits, e.g. abcdefghijklmnopqrstuvwxyz';

/** The endpoint of a DSQL cluster. */
export function dsqlEndpoint(clusterId: string, region: string): string {
  return `${clusterId}.dsql.${region}.on.aws`;
}

/** DSQL ends a connection after 60 minutes; its pools replace one 5 minutes before. */
export const DSQL_POOL_MAX_LIFETIME_S = 3300;

/** The CA to trust, as `ssl.ca` resolves: PEM text, or an absolute file path. */
type TrustedCa = { readonly pem: string } | { readonly file: string };

interface ResolveContext {
  /** Where a relative path in the value is resolved from: its config file's directory, else the working directory. */
  readonly baseDir: string;
}

type Resolution<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A zod schema, typed structurally (Standard Schema) so that the public types do not name zod. */
interface Validator<In> {
  readonly '~standard': { readonly types?: { readonly input: In } | undefined };
}

/** A variable another tool sets that gives a key when no layer does. */
export interface EnvFallback {
  readonly variable: string;
  /** When it is set at all, the environment counts as holding an rdsiam config. */
  readonly configures: boolean;
  /** Taken only when this holds, so a stray value breaks nothing that never uses the key. */
  readonly accepts?: (value: string) => boolean;
}

/** One config key, as written (`In`) and as resolved (`Out`). `Required`: always present once resolved. */
export interface Key<In = unknown, Out = unknown, Required extends boolean = boolean> {
  /** Its zod schema, built on first use: a config validates only the keys it sets, and importing builds none. */
  schema(): Validator<In>;
  readonly doc: string;
  /** The value when no layer sets the key. */
  readonly default?: Out;
  /** What applies when the key is unset and has no default value, in words (docs only). */
  readonly fallback?: string;
  readonly example?: In;
  /** Shown as `(set)` by `rdsiam check`, never as its value. */
  readonly secret?: boolean;
  // Methods, not function properties: a Key<string, ParsedDsn> must stand where any Key is expected.
  /** How `rdsiam check` prints the resolved value; default `String(value)`. */
  show?(value: Out): string;
  /** Turns the validated value into the resolved one, or says why it cannot. */
  resolve?(value: In, context: ResolveContext): Resolution<Out>;
  readonly required?: Required;
  /** Variables other tools set that give this top-level key when no layer does, in the order they are tried. */
  readonly env?: readonly EnvFallback[];
  /** Defaults that hold only with one plugin, in place of `default` (e.g. DSQL's `pool.max_lifetime_s`). */
  readonly pluginDefault?: Partial<Record<PluginCode, Out>>;
}

/** Keys nested under one object key (`ssl`, `pool`). */
export interface Group<K extends Record<string, Key> = Record<string, Key>> {
  readonly doc: string;
  readonly keys: K;
}

interface KeySpec<S extends z.ZodMiniType, Out, D, R extends boolean> {
  schema: () => S;
  doc: string;
  default?: D;
  fallback?: string;
  example?: z.input<S>;
  secret?: boolean;
  show?: (value: Out) => string;
  resolve?: (value: z.input<S>, context: ResolveContext) => Resolution<Out>;
  required?: R;
  env?: readonly EnvFallback[];
  pluginDefault?: Partial<Record<PluginCode, Out>>;
}

type RequiredIf<D, R extends boolean> = D extends undefined ? R : true;

// Two forms: with `resolve`, the resolved type is what it returns; without, the schema's own output.
function key<S extends z.ZodMiniType, Out, D extends Out | undefined = undefined, R extends boolean = false>(
  spec: KeySpec<S, Out, D, R> & { resolve(value: z.input<S>, context: ResolveContext): Resolution<Out> },
): Key<z.input<S>, Out, RequiredIf<D, R>>;
function key<S extends z.ZodMiniType, D extends z.output<S> | undefined = undefined, R extends boolean = false>(
  spec: KeySpec<S, z.output<S>, D, R>,
): Key<z.input<S>, z.output<S>, RequiredIf<D, R>>;
function key(spec: KeySpec<z.ZodMiniType, unknown, unknown, boolean>): Key {
  let built: z.ZodMiniType | undefined;
  return { ...spec, schema: () => (built ??= spec.schema()) } as unknown as Key;
}

function group<K extends Record<string, Key>>(doc: string, keys: K): Group<K> {
  return { doc, keys };
}

export function isGroup(entry: Key | Group): entry is Group {
  return 'keys' in entry;
}

/** A zod error function whose message says what is expected and what was got (made safe to print). */
export function invalid(expected: string) {
  return (issue: { input?: unknown }) => `must be ${expected}, got ${describeValue(issue.input)}`;
}

function text(expected: string, pattern?: RegExp) {
  const error = invalid(expected);
  const checks = pattern === undefined ? [] : [z.regex(pattern, { error })];
  return z.string({ error }).check(z.minLength(1, { error }), ...checks);
}

function wholeNumber(min: number, max: number, expected: string) {
  const error = invalid(expected);
  return z.int({ error }).check(z.gte(min, { error }), z.lte(max, { error }));
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: invalid(`one of ${values.join(', ')}`) });
}

const HOST =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function region() {
  const error = invalid('an AWS region name such as us-east-1');
  return z
    .string({ error })
    .check(
      z.minLength(1, { error }),
      z.regex(REGION, { error: (issue) => `${regionProblem(String(issue.input))}, got ${describeValue(issue.input)}` }),
    );
}

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

const PEM = /-----BEGIN [A-Z ]+-----/;

/** The keys of one connection: the top level (the `default` connection) and each entry of `connections`. */
export const CONNECTION_KEYS = {
  dsn: key({
    schema: () => text('a postgres://, postgresql:// or mysql:// URL'),
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
    schema: () =>
      z.union([z.array(z.enum(PLUGIN_CODES)), z.string()], {
        error: (issue) => {
          const parsed = parsePlugins(issue.input);
          return parsed.ok
            ? invalid(`a list of plugin codes (${PLUGIN_CODES.join(', ')}) or a comma-separated string of them`)(issue)
            : parsed.problem;
        },
      }),
    default: [] as PluginCode[],
    doc:
      'Authentication plugins, as a list or a comma-separated string: iam (RDS and Aurora IAM database auth) or ' +
      'iam_dsql (Aurora DSQL), never both. "none" or [] for plain password auth.',
    example: 'iam',
    show: (codes: PluginCode[]) => (codes.length > 0 ? codes.join(',') : 'none'),
    resolve: parsePlugins,
  }),
  iam_host: key({
    schema: () =>
      text('a host name without scheme or port, e.g. mydb.cluster-abc123.us-east-1.rds.amazonaws.com', HOST),
    doc:
      'The host name the IAM token is signed for, and the server certificate must name, when the DSN connects ' +
      'through another name (a proxy, a tunnel, an IP).',
    fallback: 'the DSN host',
    example: 'db.c9akciq32.us-east-1.rds.amazonaws.com',
  }),
  iam_region: key({
    schema: () => region(),
    doc: 'The AWS region the token is signed for, in lowercase.',
    fallback: 'from the host name',
    example: 'eu-west-1',
  }),
  iam_default_port: key({
    schema: () => wholeNumber(1, 65_535, 'a whole number from 1 to 65535'),
    doc: 'The port the token is signed for, when it differs from the DSN port.',
    fallback: 'the DSN port, else 5432 / 3306',
    example: 5432,
  }),
  iam_expiration: key({
    schema: () =>
      wholeNumber(
        1,
        TOKEN_LIFETIME_S.iam_dsql,
        `a whole number of seconds from 1 to ${TOKEN_LIFETIME_S.iam} (${TOKEN_LIFETIME_S.iam_dsql} with iam_dsql)`,
      ),
    // A cached token is not served in its last 30 s, so it cannot expire on the way to the server.
    default: 870,
    doc:
      `Seconds a signed token is reused from the cache, counted from signing. At most ${TOKEN_LIFETIME_S.iam} ` +
      `(tokens live 900 s), or ${TOKEN_LIFETIME_S.iam_dsql} with iam_dsql.`,
    example: 600,
  }),
  iam_global_region: key({
    schema: () => region(),
    default: 'us-east-1',
    // The SDK's own region variable, taken only when it names a region.
    env: [{ variable: 'AWS_REGION', configures: false, accepts: isRegion }],
    doc:
      'The region DescribeGlobalClusters is called in to find the writer region of an Aurora global database ' +
      'endpoint, when iam_region is not set. An AWS_REGION variable that names a region gives it when nothing else does.',
    example: 'eu-west-1',
  }),
  iam_global_ttl_s: key({
    schema: () => wholeNumber(1, 86_400, 'a whole number of seconds from 1 to 86400'),
    default: 300,
    doc:
      "Seconds a global database endpoint's writer region is reused before it is looked up again. " +
      'A refused login looks it up at once, so a failover heals sooner.',
    example: 60,
  }),
  dsql_cluster_id: key({
    schema: () => text(`an Aurora DSQL cluster id: ${DSQL_CLUSTER_ID_SHAPE}`, DSQL_CLUSTER_ID),
    doc:
      'An Aurora DSQL cluster id. With iam_region it names the endpoint <id>.dsql.<region>.on.aws that the token is ' +
      'signed for and the certificate must name, as iam_host does; the DSN host stays where to connect. Plugin iam_dsql only.',
    example: 'abcdefghijklmnopqrstuvwxyz',
  }),
  ssl: group('TLS settings. Default: verify-full against the Amazon RDS CA bundle.', {
    mode: key({
      schema: () => oneOf(SSL_MODES),
      default: 'verify-full' as SslMode,
      doc:
        'TLS verification. verify-full checks the certificate chain and the host name; verify-ca only the chain. ' +
        'require (no verification) and disable are refused while an IAM plugin is on: the token is a bearer credential.',
      example: 'verify-full',
    }),
    ca: key({
      schema: () => text('a file path or PEM text'),
      doc: 'The CA certificates to trust: a file path (relative to the config file) or PEM text.',
      fallback: 'the Amazon RDS CA bundle',
      example: './certs/global-bundle.pem',
      show: (ca: TrustedCa) => ('pem' in ca ? '(PEM text)' : ca.file),
      resolve: (value: string, { baseDir }): Resolution<TrustedCa> => ({
        ok: true,
        value: PEM.test(value) ? { pem: value } : { file: resolvePath(baseDir, value) },
      }),
    }),
    servername: key({
      schema: () => text('a host name', HOST),
      doc: 'The host name the server certificate must name (TLS SNI), when it differs from iam_host and the DSN host.',
      fallback: 'iam_host, else the DSN host',
      example: 'db.cluster-x.us-east-1.rds.amazonaws.com',
    }),
  }),
  aws_credentials_source: key({
    schema: () => oneOf(CREDENTIALS_SOURCES),
    default: 'chain' as CredentialsSource,
    doc:
      'Where AWS credentials come from: chain (the default provider chain), env, ini (shared files), process, ' +
      'container (ECS/EKS), instance (EC2 IMDS) or web_identity.',
    example: 'container',
  }),
  aws_profile: key({
    schema: () => text('an AWS profile name'),
    doc: 'The profile in ~/.aws/config and ~/.aws/credentials to take credentials from.',
    fallback: 'the SDK default',
    example: 'prod',
  }),
  aws_role_arn: key({
    schema: () =>
      text(
        'an IAM role ARN such as arn:aws:iam::123456789012:role/db-login',
        /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
      ),
    doc: 'A role to assume with the base credentials before signing.',
    example: 'arn:aws:iam::123456789012:role/db',
  }),
  aws_role_session_name: key({
    schema: () => text('a session name of 2-64 characters from A-Z a-z 0-9 +=,.@_-', /^[\w+=,.@-]{2,64}$/),
    doc: 'The session name for aws_role_arn (shows in CloudTrail).',
    fallback: 'rdsiam',
    example: 'orders-api',
  }),
  aws_external_id: key({
    schema: () => text('an external ID of 2-1224 characters from A-Z a-z 0-9 +=,.@:/_-', /^[\w+=,.@:/-]{2,1224}$/),
    // A shared secret with the role's owner: check says whether it is set, not what it is.
    secret: true,
    doc: 'The external ID the trust policy of aws_role_arn requires.',
    example: 'b7c1…',
  }),
  connect_timeout_ms: key({
    schema: () => wholeNumber(1, 600_000, 'a whole number of milliseconds from 1 to 600000'),
    default: 10_000,
    doc: 'Milliseconds to wait for a connection: credentials, signing and the database handshake.',
    example: 5000,
  }),
  pool: group('Connection pool settings.', {
    max: key({
      schema: () => wholeNumber(1, 10_000, 'a whole number from 1 to 10000'),
      doc: 'The most connections the pool opens at once.',
      fallback: 'the driver default (10)',
      example: 20,
    }),
    idle_timeout_ms: key({
      schema: () => wholeNumber(0, 86_400_000, 'a whole number of milliseconds from 0 to 86400000'),
      doc: 'Milliseconds an idle pooled connection is kept before it is closed (0: never).',
      fallback: 'the driver default',
      example: 30000,
    }),
    max_lifetime_s: key({
      schema: () => wholeNumber(0, 604_800, 'a whole number of seconds from 0 to 604800'),
      doc: 'Seconds a pooled connection lives before the pool closes and replaces it (0: no limit).',
      fallback: `${DSQL_POOL_MAX_LIFETIME_S} with iam_dsql (DSQL ends a connection after 60 minutes), else no limit`,
      pluginDefault: { iam_dsql: DSQL_POOL_MAX_LIFETIME_S },
      example: 1800,
    }),
  }),
};

export type ConnectionKeys = typeof CONNECTION_KEYS;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type IsRequired<E> = E extends Group ? true : E extends Key<unknown, unknown, infer R> ? R : false;
type Resolved<E> = E extends Group<infer K> ? ResolvedKeys<K> : E extends Key<unknown, infer O> ? O : never;
type Written<E> = E extends Group<infer K> ? WrittenKeys<K> : E extends Key<infer I> ? I : never;

/** Keys as resolved: present when required or defaulted, optional otherwise. */
export type ResolvedKeys<T> = Simplify<
  { -readonly [P in keyof T as IsRequired<T[P]> extends true ? P : never]: Resolved<T[P]> } & {
    -readonly [P in keyof T as IsRequired<T[P]> extends true ? never : P]?: Resolved<T[P]>;
  }
>;

/** Keys as a user writes them: every one optional. */
type WrittenKeys<T> = Simplify<{ -readonly [P in keyof T]?: Written<T[P]> }>;

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
