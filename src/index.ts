// The public API of rdsiam, and nothing else: what a user calls or types. Importing it does no I/O.
export {
  connectFromConfig,
  createPoolFromConfig,
  connectPg,
  connectMysql,
  createPgPool,
  createMysqlPool,
  pgPoolOptionsFromConfig,
  mysqlPoolOptionsFromConfig,
  pgPoolConfigFromConfig,
} from './connect.js';
export type { ConnectOptions } from './connect.js';
export type { PgPoolOptions, MysqlPoolOptions } from './drivers/driver-types.js';

export { loadConfig } from './config/load.js';
export type { LoadConfigOptions } from './config/load.js';
export { defineConfig } from './config/keys.js';
export type { RdsIamConfigInput, SslMode, CredentialsSource } from './config/keys.js';
export type { PluginCode } from './aws-facts.js';
export type { Engine } from './config/dsn.js';
export type { ResolvedConfig } from './config/resolve.js';

export { getAuthToken } from './get-auth-token.js';
export { tokenProviderFor } from './token/token-provider.js';
export type { TokenProvider, IssuedToken, TokenDeps } from './token/token-provider.js';
export type { TokenTarget } from './endpoint/target.js';
export type { AwsCredentials, CredentialsProvider } from './aws-credentials.js';
export type { TokenSigner } from './token/signers.js';
export { MemoryTokenCache } from './token/cache.js';
export type { TokenCache, TokenCacheOptions } from './token/cache.js';
export type { Clock } from './clock.js';

export { RDSIAM_CHANNELS } from './events.js';
export type { RdsIamEvents, RdsIamChannel } from './events.js';
export type { RdsIamTraces, RdsIamTrace } from './tracing.js';
export { Secret, fingerprint } from './secret.js';

export {
  RdsIamError,
  ConfigError,
  EndpointError,
  CredentialsError,
  AuthError,
  UnavailableError,
  ThrottledError,
} from './errors.js';
export type { ConfigIssue, ValueOrigin } from './errors.js';

// Option builders for libraries that build their own pool, each typed with small interfaces of our own.
export { typeormOptionsFromConfig } from './integrations/typeorm.js';
export type { TypeormOptions } from './integrations/typeorm.js';
export { sequelizeOptionsFromConfig } from './integrations/sequelize.js';
export type { SequelizeOptions, SequelizeBuilderInput } from './integrations/sequelize.js';
export { mikroOrmOptionsFromConfig } from './integrations/mikro-orm.js';
export type { MikroOrm6Options, MikroOrmMajor, MikroOrmOptions } from './integrations/mikro-orm.js';
export { postgresOptionsFromConfig } from './integrations/postgres-js.js';
export type { PostgresOptions, PostgresJsOptions } from './integrations/postgres-js.js';
export { bunSqlOptionsFromConfig } from './integrations/bun-sql.js';
export type { BunSqlOptions, BunSqlTlsOptions } from './integrations/bun-sql.js';
export { mariadbPoolOptionsFromConfig } from './integrations/mariadb.js';
export type { MariadbPoolOptions } from './integrations/mariadb.js';
export { prismaDatasourceUrl } from './integrations/prisma.js';
export type { LibraryOptionsInput } from './integrations/library-options.js';

export { withDsqlRetry } from './dsql-retry.js';
export type { DsqlRetryOptions, DsqlRetryClient, DsqlRetryPool, PooledClient } from './dsql-retry.js';
