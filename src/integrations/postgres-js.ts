import type { NodeTlsOptions } from '../drivers/tls.js';
import { prepare } from '../connect.js';
import { pgPoolConfig } from '../drivers/pg.js';
import { mergeLibraryOptions, PASSWORD_DEFEATS, type LibraryOptionsInput } from './library-options.js';

/** The options of postgres.js's `postgres(options)` that rdsiam sets (our own shape: postgres.js stays optional). */
export interface PostgresOptions {
  host: string;
  port: number;
  user: string;
  database?: string;
  /** postgres.js calls it for every new connection ("Dynamic passwords" in its README). */
  password: string | (() => Promise<string>);
  ssl: false | NodeTlsOptions;
  /** Seconds. */
  connect_timeout: number;
  max?: number;
  /** Seconds. */
  idle_timeout?: number;
}

/** @deprecated Renamed `PostgresOptions` (same type); this alias stays through 0.x and goes in 1.0. */
export type PostgresJsOptions = PostgresOptions;

/**
 * Options for postgres.js (`postgres(options)`), PostgreSQL or DSQL: the password is a function that
 * gives each new connection a current token, TLS is verified with the RDS CA against the endpoint name.
 * postgres.js tells the function nothing about a refusal, so there is no retry with a fresh token.
 */
export async function postgresOptionsFromConfig<T extends object = {}>(
  options: LibraryOptionsInput<T> = {},
): Promise<PostgresOptions & T> {
  const { merge, ...connect } = options;
  const { config, provider } = await prepare(connect, 'postgres', 'postgresOptionsFromConfig');
  const pool = await pgPoolConfig(config, provider);
  const ours: PostgresOptions = {
    host: pool.host,
    port: pool.port,
    user: pool.user,
    ...(pool.database !== undefined && { database: pool.database }),
    password: pool.password as PostgresOptions['password'],
    ssl: (pool.ssl as NodeTlsOptions | undefined) ?? false,
    connect_timeout: pool.connectionTimeoutMillis / 1000,
    ...(pool.max !== undefined && { max: pool.max }),
    ...(pool.idleTimeoutMillis != null && { idle_timeout: pool.idleTimeoutMillis / 1000 }),
  };
  // postgres.js prefers `pass` over `password`.
  return mergeLibraryOptions('postgresOptionsFromConfig', ours, merge, {
    password: PASSWORD_DEFEATS,
    pass: PASSWORD_DEFEATS,
  });
}
