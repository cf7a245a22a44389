import { tokenCacheLifetimeS } from '../aws-facts.js';
import { prepare } from '../connect.js';
import { describeValue } from '../config/messages.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { pgPoolConfig } from '../drivers/pg.js';
import { mysqlConnectionOptions } from '../drivers/mysql.js';
import { connectPlanFor } from '../drivers/plan.js';
import { ConfigError } from '../errors.js';
import type { TokenProvider } from '../token/token-provider.js';
import {
  AUTH_PLUGIN_DEFEATS,
  mergeLibraryOptions,
  PASSWORD_DEFEATS,
  REPLICAS_DEFEAT,
  URL_DEFEATS,
  type LibraryOptionsInput,
} from './library-options.js';
import { installedMikroOrmMajor } from './mikro-orm-major.js';

/** What both majors share. */
interface MikroOrmCommon {
  host: string;
  port: number;
  user: string;
  dbName?: string;
  /** The driver's pool (MikroORM 7: pg's or mysql2's; MikroORM 6: Knex's tarn). */
  pool: { min: 0; max?: number; idleTimeoutMillis?: number };
}

/** The MikroORM 7 options rdsiam sets (our own shape: MikroORM stays optional). Add `entities`. */
export interface MikroOrmOptions extends MikroOrmCommon {
  /** PostgreSQL only: pg calls it for each new connection. MySQL sends the token through the auth plugin. */
  password?: () => Promise<string>;
  /** Merged by MikroORM into the pg or mysql2 pool's options: TLS, timeouts, mysql2's auth plugin. */
  driverOptions: Record<string, unknown>;
}

/** MikroORM 6's dynamic password: `expirationChecker` says when Knex must ask again. */
interface MikroOrm6DynamicPassword {
  password: string;
  expirationChecker: () => boolean;
}

/** The MikroORM 6 options rdsiam sets, with `major: 6`. Add `entities`. */
export interface MikroOrm6Options extends MikroOrmCommon {
  /** PostgreSQL only; MySQL sends the token through the auth plugin in `driverOptions`. */
  password?: () => Promise<MikroOrm6DynamicPassword>;
  /** Merged by MikroORM into Knex's options: the per-connection driver options (TLS, timeouts, mysql2's auth plugin). */
  driverOptions: { connection: Record<string, unknown> };
}

/** Which MikroORM major the options are for: the two pass the password and the driver's options differently. */
export interface MikroOrmMajor {
  /** 6 or 7; by default the major of the `@mikro-orm/core` found from the working directory, else 7. */
  major?: 6 | 7;
}

/**
 * MikroORM 6's password function (mikro-orm#1818) becomes Knex's connection provider, which Knex asks again once
 * `expirationChecker` says so. Since Knex 3.2 an expired config also retires the idle connections it hands out, and
 * one still expired right after asking again is an error: so the config expires with the cached token it carries,
 * and a new connection in that time gets the same, still valid, token. MikroORM 7 hands the function to pg itself,
 * which asks for each new connection and wants a string (mikro-orm#7576).
 */
function dynamicPassword6(provider: TokenProvider, config: ResolvedConfig): () => Promise<MikroOrm6DynamicPassword> {
  const lifetimeMs = tokenCacheLifetimeS(config.iam_expiration, 'iam') * 1000;
  return async () => {
    const token = await provider.get();
    return { password: token.value.reveal(), expirationChecker: () => Date.now() - token.signedAt >= lifetimeMs };
  };
}

/** MikroORM 7: the driver's own pool options, flat, and pg's password function. */
async function connectionOptions7(
  config: ResolvedConfig,
  provider: TokenProvider | undefined,
): Promise<Pick<MikroOrmOptions, 'password' | 'driverOptions'>> {
  if (config.dsn.engine === 'mysql') return { driverOptions: { ...(await mysqlConnectionOptions(config, provider)) } };
  const { password, ssl, connectionTimeoutMillis } = await pgPoolConfig(config, provider);
  return {
    ...(typeof password === 'function' && { password: password as () => Promise<string> }),
    // Without a plugin, the DSN's password as it is.
    driverOptions: { ssl, connectionTimeoutMillis, ...(typeof password !== 'function' && { password }) },
  };
}

/** MikroORM 6: the per-connection options under Knex's `connection`, and the dynamic password. */
async function connectionOptions6(
  config: ResolvedConfig,
  provider: TokenProvider | undefined,
): Promise<Pick<MikroOrm6Options, 'password' | 'driverOptions'>> {
  if (config.dsn.engine === 'mysql')
    return { driverOptions: { connection: { ...(await mysqlConnectionOptions(config, provider)) } } };
  const { password, ssl, connectionTimeoutMillis } = await pgPoolConfig(config, provider);
  return {
    ...(provider && { password: dynamicPassword6(provider, config) }),
    driverOptions: { connection: { ssl, connectionTimeoutMillis, ...(!provider && { password }) } },
  };
}

/**
 * MikroORM 7 or 6 options (the installed major's, or `major`'s) for its PostgreSQL or MySQL driver, by the DSN: every new
 * connection the driver's pool opens gets a current token. No retry: MikroORM gives no hook around a connect. A
 * refused cached token is dropped (on MikroORM 6's PostgreSQL, served until `iam_expiration`), so the next
 * connection signs a fresh one.
 */
export async function mikroOrmOptionsFromConfig<T extends object = {}>(
  options?: LibraryOptionsInput<T> & { major?: 7 },
): Promise<MikroOrmOptions & T>;
export async function mikroOrmOptionsFromConfig<T extends object = {}>(
  options: LibraryOptionsInput<T> & { major: 6 },
): Promise<MikroOrm6Options & T>;
export async function mikroOrmOptionsFromConfig<T extends object = {}>(
  options: LibraryOptionsInput<T> & MikroOrmMajor = {},
): Promise<(MikroOrmOptions | MikroOrm6Options) & T> {
  const { merge, major: asked, ...connect } = options;
  if (asked !== undefined && asked !== 6 && asked !== 7) {
    throw new ConfigError(
      [
        {
          path: 'major',
          origin: { kind: 'code' },
          message: `must be 6 or 7 (the MikroORM major), got ${describeValue(asked)}`,
        },
      ],
      'mikroOrmOptionsFromConfig cannot take these options',
    );
  }
  // The other major's shape would leave out TLS on 6 (driverOptions.connection) or the password function on 7.
  const major = asked ?? installedMikroOrmMajor(connect.cwd ?? process.cwd()) ?? 7;
  const { config, provider } = await prepare(connect, undefined, 'mikroOrmOptionsFromConfig');
  const plan = connectPlanFor(config);
  const { max, idle_timeout_ms } = config.pool;
  const ours: MikroOrmOptions | MikroOrm6Options = {
    host: plan.host,
    port: plan.port,
    user: plan.user,
    ...(plan.database !== undefined && { dbName: plan.database }),
    ...(major === 6 ? await connectionOptions6(config, provider) : await connectionOptions7(config, provider)),
    pool: {
      min: 0,
      ...(max !== undefined && { max }),
      ...(idle_timeout_ms !== undefined && { idleTimeoutMillis: idle_timeout_ms }),
    },
  };
  const driver = major === 6 ? 'driverOptions.connection.' : 'driverOptions.';
  return mergeLibraryOptions('mikroOrmOptionsFromConfig', ours, merge, {
    password: PASSWORD_DEFEATS,
    clientUrl: URL_DEFEATS,
    [`${driver}password`]: PASSWORD_DEFEATS,
    [`${driver}authPlugins`]: AUTH_PLUGIN_DEFEATS,
    [`${driver}connectionString`]: URL_DEFEATS,
    replicas: REPLICAS_DEFEAT,
  });
}
