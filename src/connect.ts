import { ConfigError } from './errors.js';
import { loadConfigCached } from './config/cached-load.js';
import type { Engine } from './config/dsn.js';
import type { LoadConfigOptions } from './config/load.js';
import type { ResolvedConfig } from './config/resolve.js';
import { tokenProviderFor, type TokenDeps, type TokenProvider } from './token/token-provider.js';
import { openPgClient, openPgPool, pgPoolConfig } from './drivers/pg.js';
import { mysqlPoolOptions, openMysqlConnection, openMysqlPool } from './drivers/mysql.js';
import type {
  MysqlConnection,
  MysqlPool,
  MysqlPoolOptions,
  PgClient,
  PgPool,
  PgPoolOptions,
} from './drivers/driver-types.js';

/** `loadConfig` options, plus injectable credentials, signer and clock (tests, benchmarks). */
export interface ConnectOptions extends LoadConfigOptions, TokenDeps {}

export interface Prepared {
  config: ResolvedConfig;
  provider: TokenProvider | undefined;
}

/** One connection's config and token provider (none without a plugin); `engine` checks the DSN is of that engine. */
export async function prepare(options: ConnectOptions, engine?: Engine, caller?: string): Promise<Prepared> {
  const config = await loadConfigCached(options);
  if (engine && config.dsn.engine !== engine) {
    throw new ConfigError([
      {
        path: 'dsn',
        origin: config.origins['dsn'],
        message: `${caller} needs a ${engine === 'mysql' ? 'mysql://' : 'postgres://'} DSN, got ${config.dsn.redacted}`,
      },
    ]);
  }
  // Without a plugin the DSN's own password is used: rdsiam is then a plain connection factory.
  const provider = config.plugin !== undefined ? tokenProviderFor(config, options) : undefined;
  return { config, provider };
}

/** A connected `pg.Client` for postgres DSNs (RDS, Aurora, DSQL), or a `mysql2/promise` Connection for mysql DSNs. */
export async function connectFromConfig(options: ConnectOptions = {}): Promise<PgClient | MysqlConnection> {
  const { config, provider } = await prepare(options);
  return config.dsn.engine === 'mysql' ? openMysqlConnection(config, provider) : openPgClient(config, provider);
}

/** A `pg.Pool` or a `mysql2/promise` Pool whose every new physical connection signs in with a current token. */
export async function createPoolFromConfig(options: ConnectOptions = {}): Promise<PgPool | MysqlPool> {
  const { config, provider } = await prepare(options);
  return config.dsn.engine === 'mysql' ? openMysqlPool(config, provider) : openPgPool(config, provider);
}

/** Like `connectFromConfig`, typed for PostgreSQL and DSQL: a connected `pg.Client`. */
export async function connectPg(options: ConnectOptions = {}): Promise<PgClient> {
  const { config, provider } = await prepare(options, 'postgres', 'connectPg');
  return openPgClient(config, provider);
}

/** Like `connectFromConfig`, typed for MySQL: a connected `mysql2/promise` Connection. */
export async function connectMysql(options: ConnectOptions = {}): Promise<MysqlConnection> {
  const { config, provider } = await prepare(options, 'mysql', 'connectMysql');
  return openMysqlConnection(config, provider);
}

/** A `pg.Pool` (PostgreSQL, DSQL). */
export async function createPgPool(options: ConnectOptions = {}): Promise<PgPool> {
  const { config, provider } = await prepare(options, 'postgres', 'createPgPool');
  return openPgPool(config, provider);
}

/** A `mysql2/promise` Pool. */
export async function createMysqlPool(options: ConnectOptions = {}): Promise<MysqlPool> {
  const { config, provider } = await prepare(options, 'mysql', 'createMysqlPool');
  return openMysqlPool(config, provider);
}

/**
 * Plain `pg.Pool` options for ORMs that build their own pool (Kysely, Drizzle, Prisma's pg
 * adapter, Knex): `password` is a token function, TLS is verified. The one retry on a refused
 * cached token lives in `createPgPool`, not here.
 */
export async function pgPoolOptionsFromConfig(options: ConnectOptions = {}): Promise<PgPoolOptions> {
  const { config, provider } = await prepare(options, 'postgres', 'pgPoolOptionsFromConfig');
  return pgPoolConfig(config, provider);
}

/** @deprecated Renamed `pgPoolOptionsFromConfig` (same function); this alias stays through 0.x and goes in 1.0. */
export const pgPoolConfigFromConfig: typeof pgPoolOptionsFromConfig = pgPoolOptionsFromConfig;

/** Plain `mysql2` pool options for ORMs that build their own pool: a token auth plugin, TLS verified. */
export async function mysqlPoolOptionsFromConfig(options: ConnectOptions = {}): Promise<MysqlPoolOptions> {
  const { config, provider } = await prepare(options, 'mysql', 'mysqlPoolOptionsFromConfig');
  return mysqlPoolOptions(config, provider);
}
