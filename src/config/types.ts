import type { ValueSource } from '../errors.js';
import type { Secret } from '../secret.js';

/** The IAM plugin codes, named as in the AWS Advanced wrappers. */
export type PluginCode = 'iam' | 'iam_dsql';

export type Engine = 'postgres' | 'mysql';

export type CredentialsSource = 'chain' | 'env' | 'ini' | 'process' | 'container' | 'instance' | 'web_identity';

export type SslMode = 'verify-full' | 'verify-ca' | 'require' | 'disable';

/** A DSN after parsing: percent-decoding done, the password kept as a Secret. */
export interface ParsedDsn {
  engine: Engine;
  /** `postgres:`, `postgresql:` or `mysql:` as written. */
  protocol: string;
  user: string;
  password?: Secret;
  host: string;
  port?: number;
  database?: string;
  /** Query parameters other than the TLS ones mapped onto `ssl`. */
  params: Record<string, string>;
  /** The DSN with its password shown as `***`: safe to print. */
  redacted: string;
}

export interface SslSettings {
  mode: SslMode;
  /** A file path or PEM text; absent means the Amazon RDS CA bundle. */
  ca?: string;
  servername?: string;
}

export interface PoolSettings {
  max?: number;
  idle_timeout_ms?: number;
  /** Seconds a pooled connection lives before it is replaced; 0 or absent: no limit. */
  max_lifetime_s?: number;
}

/** One connection's config after loading, merging by precedence and validation. */
export interface ResolvedConfig {
  /** `default` for the top level, else the name under `connections`. */
  connection: string;
  dsn: ParsedDsn;
  plugins: PluginCode[];
  iam_host?: string;
  iam_region?: string;
  iam_default_port?: number;
  /** Seconds a cached token may be served, counted from when signing started. */
  iam_expiration: number;
  /** Where DescribeGlobalClusters is called for a global database endpoint: the key, else AWS_REGION, else us-east-1. */
  iam_global_region: string;
  /** Seconds a global endpoint's writer region is reused. */
  iam_global_ttl_s: number;
  /** An Aurora DSQL cluster id; with `iam_region` it names the endpoint the token is signed for. */
  dsql_cluster_id?: string;
  ssl: SslSettings;
  aws_profile?: string;
  aws_credentials_source: CredentialsSource;
  aws_role_arn?: string;
  aws_role_session_name?: string;
  aws_external_id?: string;
  connect_timeout_ms: number;
  pool: PoolSettings;
  /** Where each value came from, by dotted key path (`dsn`, `ssl.mode`, `pool.max`, ...). */
  sources: Record<string, ValueSource>;
  /** The config file loaded, if any. */
  configFile?: string;
  /** The directory the search for a config file started from, when no file was named explicitly. */
  searchedFrom?: string;
  /** Names of every connection the config defines, `default` included. */
  connectionNames: string[];
}

export interface LoadConfigOptions {
  /** Where the search for a config file starts. Default: `process.cwd()`. */
  cwd?: string;
  /** One config file, named explicitly; a missing file is an error. Env: `RDSIAM_CONFIG`. */
  configFile?: string;
  /** The environment to read `RDSIAM_*` and `DATABASE_URL` from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Values that beat the file and env (the config's own input shape). */
  overrides?: Record<string, unknown>;
  /** Which named connection to resolve. Default: `default` (the top level). */
  connection?: string;
}
