import { prepare } from '../connect.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { pgPoolConfig } from '../drivers/pg.js';
import { mysqlConnectionOptions } from '../drivers/mysql.js';
import { connectPlanFor } from '../drivers/plan.js';
import type { TokenProvider } from '../token/token-provider.js';
import {
  AUTH_PLUGIN_DEFEATS,
  mergeLibraryOptions,
  PASSWORD_DEFEATS,
  REPLICAS_DEFEAT,
  URL_DEFEATS,
  type LibraryOptionsInput,
} from './library-options.js';

/** MikroORM's dynamic password: `expirationChecker` says when Knex must ask again. */
interface MikroOrmDynamicPassword {
  password: string;
  expirationChecker: () => boolean;
}

/** The MikroORM 6 options rdsiam sets (our own shape: MikroORM stays optional). Add `driver` and `entities`. */
export interface MikroOrmOptions {
  host: string;
  port: number;
  user: string;
  dbName?: string;
  /** PostgreSQL only; MySQL sends the token through the auth plugin in `driverOptions`. */
  password?: () => Promise<MikroOrmDynamicPassword>;
  /** Merged by MikroORM into Knex's options: the per-connection driver options (TLS, timeouts, mysql2's auth plugin). */
  driverOptions: { connection: Record<string, unknown> };
  /** Knex's pool (tarn). */
  pool: { min: 0; max?: number; idleTimeoutMillis?: number };
}

/**
 * MikroORM 6's password function (mikro-orm#1818) becomes Knex's connection provider, which Knex asks again only
 * when `expirationChecker` says so; without one it is asked once per pool. Expiring at once makes every new
 * connection ask, and the token cache makes asking cheap. (MikroORM 7 changed this contract: mikro-orm#7576.)
 */
function dynamicPassword(provider: TokenProvider): () => Promise<MikroOrmDynamicPassword> {
  return async () => ({ password: (await provider.get()).value.reveal(), expirationChecker: () => true });
}

async function connectionOptions(
  config: ResolvedConfig,
  provider: TokenProvider | undefined,
): Promise<Pick<MikroOrmOptions, 'password' | 'driverOptions'>> {
  if (config.dsn.engine === 'mysql')
    return { driverOptions: { connection: { ...(await mysqlConnectionOptions(config, provider)) } } };
  const { password, ssl, connectionTimeoutMillis } = await pgPoolConfig(config, provider);
  return {
    ...(provider && { password: dynamicPassword(provider) }),
    // Without a plugin, the DSN's password as it is.
    driverOptions: { connection: { ssl, connectionTimeoutMillis, ...(!provider && { password }) } },
  };
}

/**
 * MikroORM 6 options for its PostgreSQL or MySQL driver, by the DSN: every new connection Knex opens gets a
 * current token. No retry: MikroORM gives no hook around a connect. On MySQL a refused cached token is
 * dropped, so the next connection signs a fresh one.
 */
export async function mikroOrmOptionsFromConfig<T extends object = {}>(
  options: LibraryOptionsInput<T> = {},
): Promise<MikroOrmOptions & T> {
  const { merge, ...connect } = options;
  const { config, provider } = await prepare(connect, undefined, 'mikroOrmOptionsFromConfig');
  const plan = connectPlanFor(config);
  const { max, idle_timeout_ms } = config.pool;
  const ours: MikroOrmOptions = {
    host: plan.host,
    port: plan.port,
    user: plan.user,
    ...(plan.database !== undefined && { dbName: plan.database }),
    ...(await connectionOptions(config, provider)),
    pool: {
      min: 0,
      ...(max !== undefined && { max }),
      ...(idle_timeout_ms !== undefined && { idleTimeoutMillis: idle_timeout_ms }),
    },
  };
  return mergeLibraryOptions('mikroOrmOptionsFromConfig', ours, merge, {
    password: PASSWORD_DEFEATS,
    clientUrl: URL_DEFEATS,
    'driverOptions.connection.password': PASSWORD_DEFEATS,
    'driverOptions.connection.authPlugins': AUTH_PLUGIN_DEFEATS,
    replicas: REPLICAS_DEFEAT,
  });
}
