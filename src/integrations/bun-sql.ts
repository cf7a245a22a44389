import type { NodeTlsOptions } from '../drivers/tls.js';
import { prepare } from '../connect.js';
import { pgPoolConfig } from '../drivers/pg.js';
import { ConfigError } from '../errors.js';
import { mergeLibraryOptions, PASSWORD_DEFEATS, URL_DEFEATS, type LibraryOptionsInput } from './library-options.js';

/** The TLS options of Bun.SQL that rdsiam sets: the RDS CA, and the endpoint as the name to check. */
export interface BunSqlTlsOptions {
  ca: string | string[];
  rejectUnauthorized: boolean;
  serverName: string | undefined;
  /** Checks the certificate against the endpoint name, whatever address the socket reached. */
  checkServerIdentity: NodeTlsOptions['checkServerIdentity'];
}

/** The options of Bun's `new SQL(options)` on PostgreSQL that rdsiam sets (our own shape: no Bun types needed). */
export interface BunSqlOptions {
  adapter: 'postgres';
  hostname: string;
  port: number;
  username: string;
  database?: string;
  /** Bun.SQL calls it for every new connection. */
  password: string | (() => Promise<string>);
  tls: false | BunSqlTlsOptions;
  /** Seconds. */
  connectionTimeout: number;
  max?: number;
  /** Seconds. */
  idleTimeout?: number;
  /** Seconds. */
  maxLifetime?: number;
}

const NO_MYSQL =
  'Bun.SQL on MySQL has no mysql_clear_password plugin, so it cannot send an IAM token: use mysql2 (connectMysql, createMysqlPool) or `rdsiam proxy`';

/**
 * Options for Bun's built-in SQL client (`new SQL(options)`) on PostgreSQL: the password is a function that gives
 * each new connection a current token, TLS is verified with the RDS CA against the endpoint name, and the pool's
 * size, idle timeout and lifetime come from the config. A mysql:// DSN is a ConfigError: Bun.SQL cannot do IAM there.
 */
export async function bunSqlOptionsFromConfig<T extends object = {}>(
  options: LibraryOptionsInput<T> = {},
): Promise<BunSqlOptions & T> {
  const { merge, ...connect } = options;
  const { config, provider } = await prepare(connect);
  if (config.dsn.engine === 'mysql') {
    throw new ConfigError([{ path: 'dsn', origin: config.origins['dsn'], message: NO_MYSQL }]);
  }
  const pool = await pgPoolConfig(config, provider);
  const tls = pool.ssl as NodeTlsOptions | undefined;
  const ours: BunSqlOptions = {
    adapter: 'postgres',
    hostname: pool.host,
    port: pool.port,
    username: pool.user,
    ...(pool.database !== undefined && { database: pool.database }),
    password: pool.password as BunSqlOptions['password'],
    tls: tls
      ? {
          ca: tls.ca,
          rejectUnauthorized: tls.rejectUnauthorized,
          serverName: tls.servername,
          checkServerIdentity: tls.checkServerIdentity,
        }
      : false,
    connectionTimeout: pool.connectionTimeoutMillis / 1000,
    ...(pool.max !== undefined && { max: pool.max }),
    ...(pool.idleTimeoutMillis != null && { idleTimeout: pool.idleTimeoutMillis / 1000 }),
    ...(pool.maxLifetimeSeconds !== undefined && { maxLifetime: pool.maxLifetimeSeconds }),
  };
  // Bun.SQL takes `pass` for `password`, and a `url` in place of the parts.
  return mergeLibraryOptions('bunSqlOptionsFromConfig', ours, merge, {
    password: PASSWORD_DEFEATS,
    pass: PASSWORD_DEFEATS,
    url: URL_DEFEATS,
  });
}
