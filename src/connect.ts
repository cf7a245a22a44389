import { ConfigError } from './errors.js';
import { loadConfigCached } from './config/cached-load.js';
import type { Engine } from './config/dsn.js';
import type { LoadConfigOptions } from './config/load.js';
import type { ResolvedConfig } from './config/resolve.js';
import { tokenSourceFor, type TokenDeps, type TokenSource } from './token/token-source.js';
import { openPgClient, openPgPool, pgPoolConfig } from './drivers/pg.js';
import { mysqlPoolOptions, openMysqlConnection, openMysqlPool } from './drivers/mysql.js';
import type { MysqlConnection, MysqlPool, MysqlPoolOptions, PgClient, PgPool, PgPoolConfig } from './drivers/driver-types.js';

/** `loadConfig` options, plus injectable credentials, signer and clock (tests, benchmarks). */
export interface ConnectOptions extends LoadConfigOptions, TokenDeps {}

export interface Prepared {
  config: ResolvedConfig;
  source: TokenSource | undefined;
}

/** One connection's config and token source (none without a plugin); `engine` checks the DSN is of that engine. */
export async function prepare(options: ConnectOptions, engine?: Engine, caller?: string): Promise<Prepared> {
  const config = await loadConfigCached(options);
  if (engine && config.dsn.engine !== engine) {
    throw new ConfigError([
      {
        path: 'dsn',
        source: config.sources['dsn'],
        message: `${caller} needs a ${engine === 'mysql' ? 'mysql://' : 'postgres://'} DSN, got ${config.dsn.redacted}`,
      },
    ]);
  }
  // Without a plugin the DSN's own password is used: rdsiam is then a plain connection factory.
  const source = config.plugins.length > 0 ? tokenSourceFor(config, options) : undefined;
  return { config, source };
}

/** A connected `pg.Client` for postgres DSNs (RDS, Aurora, DSQL), or a `mysql2/promise` Connection for mysql DSNs. */
export async function connectFromConfig(options: ConnectOptions = {}): Promise<PgClient | MysqlConnection> {
  const { config, source } = await prepare(options);
  return config.dsn.engine === 'mysql' ? openMysqlConnection(config, source) : openPgClient(config, source);
}

/** A `pg.Pool` or a `mysql2/promise` Pool whose every new physical connection signs in with a current token. */
export async function createPoolFromConfig(options: ConnectOptions = {}): Promise<PgPool | MysqlPool> {
  const { config, source } = await prepare(options);
  return config.dsn.engine === 'mysql' ? openMysqlPool(config, source) : openPgPool(config, source);
}

/** Like `connectFromConfig`, typed for PostgreSQL and DSQL: a connected `pg.Client`. */
export async function connectPg(options: ConnectOptions = {}): Promise<PgClient> {
  const { config, source } = await prepare(options, 'postgres', 'connectPg');
  return openPgClient(config, source);
}

/** Like `connectFromConfig`, typed for MySQL: a connected `mysql2/promise` Connection. */
export async function connectMysql(options: ConnectOptions = {}): Promise<MysqlConnection> {
  const { config, source } = await prepare(options, 'mysql', 'connectMysql');
  return openMysqlConnection(config, source);
}

/** A `pg.Pool` (PostgreSQL, DSQL). */
export async function createPgPool(options: ConnectOptions = {}): Promise<PgPool> {
  const { config, source } = await prepare(options, 'postgres', 'createPgPool');
  return openPgPool(config, source);
}

/** A `mysql2/promise` Pool. */
export async function createMysqlPool(options: ConnectOptions = {}): Promise<MysqlPool> {
  const { config, source } = await prepare(options, 'mysql', 'createMysqlPool');
  return openMysqlPool(config, source);
}

/**
 * Plain `pg.Pool` options for ORMs that build their own pool (Kysely, Drizzle, Prisma's pg
 * adapter, Knex): `password` is a token function, TLS is verified. The one retry on a refused
 * cached token lives in `createPgPool`, not here.
 */
export async function pgPoolConfigFromConfig(options: ConnectOptions = {}): Promise<PgPoolConfig> {
  const { config, source } = await prepare(options, 'postgres', 'pgPoolConfigFromConfig');
  return pgPoolConfig(config, source);
}

/** Plain `mysql2` pool options for ORMs that build their own pool: a token auth plugin, TLS verified. */
export async function mysqlPoolOptionsFromConfig(options: ConnectOptions = {}): Promise<MysqlPoolOptions> {
  const { config, source } = await prepare(options, 'mysql', 'mysqlPoolOptionsFromConfig');
  return mysqlPoolOptions(config, source);
}
