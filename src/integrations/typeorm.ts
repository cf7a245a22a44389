import { prepare } from '../connect.js';
import { pgModuleWithRetry, pgPoolConfig } from '../drivers/pg.js';
import { mysqlModuleWithRetry, mysqlPoolOptions } from '../drivers/mysql.js';
import { connectRetryFor } from '../drivers/connect-retry.js';
import { connectPlanFor } from '../drivers/plan.js';
import { trackFetches } from '../drivers/tracked-provider.js';
import {
  AUTH_PLUGIN_DEFEATS,
  mergeLibraryOptions,
  PASSWORD_DEFEATS,
  REPLICAS_DEFEAT,
  URL_DEFEATS,
  type LibraryOptionsInput,
} from './library-options.js';

interface TypeormCommon {
  host: string;
  port: number;
  username: string;
  database?: string;
  /** The driver's own pool options; TypeORM merges them over the ones it builds. */
  extra: Record<string, unknown>;
  /** The pg or mysql2 module, whose pools retry a refused cached token once. */
  driver: object;
}

/** The TypeORM `DataSource` options rdsiam sets (our own shape: TypeORM stays optional). */
export type TypeormOptions =
  | (TypeormCommon & { type: 'postgres' })
  | (TypeormCommon & { type: 'mysql'; connectorPackage: 'mysql2' });

/**
 * TypeORM 1.x or 0.3 `DataSource` options for PostgreSQL (pg) or MySQL (mysql2), by the DSN: pg gets a password
 * function and mysql2 the token auth plugin, both through `extra`, which TypeORM hands to the driver's pool.
 * The driver module is rdsiam's, so a cached token the server refuses is replaced and retried once.
 */
export async function typeormOptionsFromConfig<T extends object = {}>(
  options: LibraryOptionsInput<T> = {},
): Promise<TypeormOptions & T> {
  const { merge, ...connect } = options;
  const { config, provider } = await prepare(connect, undefined, 'typeormOptionsFromConfig');
  const tracked = provider && trackFetches(provider);
  const plan = connectPlanFor(config);
  const common = {
    host: plan.host,
    port: plan.port,
    username: plan.user,
    ...(plan.database !== undefined && { database: plan.database }),
  };
  const ours: TypeormOptions =
    config.dsn.engine === 'postgres'
      ? {
          type: 'postgres',
          ...common,
          extra: { ...(await pgPoolConfig(config, tracked)) },
          driver: await pgModuleWithRetry(tracked, connectRetryFor(config)),
        }
      : {
          type: 'mysql',
          connectorPackage: 'mysql2',
          ...common,
          extra: { ...(await mysqlPoolOptions(config, tracked)) },
          driver: await mysqlModuleWithRetry(tracked, config.pool.max_lifetime_s, connectRetryFor(config)),
        };
  return mergeLibraryOptions('typeormOptionsFromConfig', ours, merge, {
    password: PASSWORD_DEFEATS,
    url: URL_DEFEATS,
    'extra.password': PASSWORD_DEFEATS,
    'extra.connectionString': URL_DEFEATS,
    'extra.authPlugins': AUTH_PLUGIN_DEFEATS,
    'extra.authSwitchHandler': AUTH_PLUGIN_DEFEATS,
    replication: REPLICAS_DEFEAT,
  });
}
