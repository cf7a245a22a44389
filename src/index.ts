// The public API of rdsiam, and nothing else. Importing it does no I/O.
export {
  connectFromConfig,
  createPoolFromConfig,
  connectPg,
  connectMysql,
  createPgPool,
  createMysqlPool,
  pgPoolConfigFromConfig,
  mysqlPoolOptionsFromConfig,
} from './connect.js';
export type { ConnectOptions } from './connect.js';

export { loadConfig } from './config/load.js';
export { defineConfig } from './config/define.js';
export { configJsonSchema } from './config/json-schema.js';
export { parseDsn } from './config/dsn.js';
export { configSchema } from './config/schema.js';
export type { RdsIamConfigInput, ConnectionConfigInput } from './config/schema.js';
export type {
  ResolvedConfig,
  LoadConfigOptions,
  ParsedDsn,
  PluginCode,
  Engine,
  CredentialsSource,
  SslMode,
  SslSettings,
  PoolSettings,
} from './config/types.js';

export { parseEndpoint, isRegion } from './endpoint/rds-host.js';
export type { ParsedEndpoint, EndpointKind, Partition } from './endpoint/rds-host.js';
export { resolveTokenTarget } from './endpoint/target.js';
export type { TokenTarget } from './endpoint/target.js';

export { getAuthToken } from './token/get-auth-token.js';
export type { GetAuthTokenOptions } from './token/get-auth-token.js';
export { tokenSourceFor } from './token/token-source.js';
export type { TokenSource, IssuedToken, TokenDeps } from './token/token-source.js';
export type { AwsCredentials, CredentialsProvider } from './token/credentials.js';
export type { TokenSigner } from './token/signers.js';
export type { Clock } from './token/clock.js';

export type { RdsIamEvents, RdsIamChannel, TokenEvent, CredentialsEvent } from './events.js';
export { Secret, fingerprint } from './secret.js';

export { RdsIamError, ConfigError, EndpointError, CredentialsError, AuthError } from './errors.js';
export type { ConfigIssue, ValueSource } from './errors.js';

export { withDsqlRetry } from './dsql-retry.js';
export type { DsqlRetryOptions, IsolationLevel, ConflictCode } from './dsql-retry.js';
export type { GlobalLookupEvent } from './events.js';
export type { RegionSource } from './endpoint/target.js';
