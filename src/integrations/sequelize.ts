import { prepare, type Prepared } from '../connect.js';
import type { PoolConfig } from 'pg';
import type { Engine } from '../config/dsn.js';
import { ConfigError, RdsIamError } from '../errors.js';
import { pgPoolConfig } from '../drivers/pg.js';
import { mysqlConnectionOptions } from '../drivers/mysql.js';
import { connectPlanFor } from '../drivers/plan.js';
// Sequelize wraps the driver error and keeps its message: refusals are matched by it.
import { LOGIN_REFUSED_MESSAGE } from '../drivers/retry.js';
import {
  AUTH_PLUGIN_DEFEATS,
  mergeLibraryOptions,
  PASSWORD_DEFEATS,
  REPLICAS_DEFEAT,
  URL_DEFEATS,
  type LibraryOptionsInput,
} from './library-options.js';

/** One server as Sequelize connects to it: the top level, or one entry of `replication`. */
interface SequelizeServer {
  host: string;
  port: number;
  username: string;
  database?: string;
  /** Handed to the driver for every connection: TLS, timeouts and, for mysql2, the token auth plugin. */
  dialectOptions: Record<string, unknown>;
}

/** What Sequelize's `beforeConnect` hook receives: the merged config of the one server it connects to. */
interface ServerConfig {
  host?: string;
  port?: number | string;
  username?: string;
  password?: unknown;
}

/** The Sequelize 6 options rdsiam sets (our own shape: Sequelize stays optional). */
export interface SequelizeOptions extends SequelizeServer {
  dialect: Engine;
  pool: { min: 0; max?: number; idle?: number };
  /** One retry of a query whose new connection was refused (the refused cached token is dropped first). */
  retry: { max: 2; match: RegExp[] };
  replication?: { write: SequelizeServer; read: SequelizeServer[] };
  /** PostgreSQL: gives each new connection the token of the server it connects to. */
  hooks?: {
    /** Sets the token of the server this new connection is for. */
    beforeConnect: (config: ServerConfig) => void;
  };
}

export interface SequelizeBuilderInput<T extends object> extends LibraryOptionsInput<T> {
  /**
   * Named connections of the rdsiam config to use as read replicas. Each gets its own host, user and
   * token, signed for its own endpoint (a reader must not be sent the writer's token).
   */
  readers?: string[];
}

interface Built {
  server: SequelizeServer;
  /** pg's password (a token function, or the DSN's password without a plugin); mysql2 needs none. */
  password?: PoolConfig['password'];
}

async function serverFor({ config, provider }: Prepared): Promise<Built> {
  const plan = connectPlanFor(config);
  const server = {
    host: plan.host,
    port: plan.port,
    username: plan.user,
    ...(plan.database !== undefined && { database: plan.database }),
  };
  if (config.dsn.engine === 'postgres') {
    const { password, ssl, connectionTimeoutMillis } = await pgPoolConfig(config, provider);
    return { server: { ...server, dialectOptions: { ssl, connectionTimeoutMillis } }, password };
  }
  // Sequelize spreads `dialectOptions` last into mysql2's connection options, so its host (the endpoint name TLS checks) wins.
  return { server: { ...server, dialectOptions: { ...(await mysqlConnectionOptions(config, provider)) } } };
}

function serverKey(host: unknown, port: unknown, username: unknown): string {
  return `${String(username)}@${String(host)}:${String(port)}`;
}

/**
 * A `beforeConnect` hook that finds, by host, port and user, which server a new connection is for, and hands
 * pg that server's password function: pg calls it for the connection, and drops a cached token it sees refused.
 * (Sequelize types `password` as a string; at run time it passes whatever it holds to pg, as here.)
 */
function passwordHook(built: Built[], builder: string): SequelizeOptions['hooks'] {
  const byServer = new Map<string, Built['password']>();
  for (const { server, password } of built) {
    const key = serverKey(server.host, server.port, server.username);
    if (byServer.has(key) && byServer.get(key) !== password) {
      throw new ConfigError([
        {
          path: 'readers',
          origin: { kind: 'code' },
          message: `${builder}: two servers are ${key}; Sequelize's beforeConnect hook could not tell which token each needs. Give each its own user or host`,
        },
      ]);
    }
    byServer.set(key, password);
  }
  return {
    beforeConnect(config) {
      const key = serverKey(config.host, config.port, config.username);
      if (!byServer.has(key))
        throw new RdsIamError(
          `${builder}: Sequelize is connecting to ${key}, which is none of the servers rdsiam built options for`,
        );
      config.password = byServer.get(key);
    },
  };
}

/**
 * Sequelize 6 options for PostgreSQL (pg) or MySQL (mysql2), by the DSN. Every new connection, to the writer
 * or to each of the `readers`, gets a current token signed for its own endpoint: pg through a `beforeConnect`
 * hook that picks the server's password function, mysql2 through each server's auth plugin. (A hook that
 * signs for one endpoint would hand a reader the writer's token: the trap of sequelize#15979.)
 */
export async function sequelizeOptionsFromConfig<T extends object = {}>(
  options: SequelizeBuilderInput<T> = {},
): Promise<SequelizeOptions & T> {
  const { merge, readers = [], ...connect } = options;
  const main = await prepare(connect, undefined, 'sequelizeOptionsFromConfig');
  const engine = main.config.dsn.engine;
  const write = await serverFor(main);
  const read = await Promise.all(
    readers.map(async (connection) =>
      serverFor(await prepare({ ...connect, connection }, engine, 'sequelizeOptionsFromConfig')),
    ),
  );
  const { max, idle_timeout_ms } = main.config.pool;
  const ours: SequelizeOptions = {
    dialect: engine,
    ...write.server,
    pool: {
      min: 0,
      ...(max !== undefined && { max }),
      ...(idle_timeout_ms !== undefined && { idle: idle_timeout_ms }),
    },
    retry: { max: 2, match: [LOGIN_REFUSED_MESSAGE] },
    ...(read.length > 0 && { replication: { write: write.server, read: read.map((r) => r.server) } }),
    ...(engine === 'postgres' && { hooks: passwordHook([write, ...read], 'sequelizeOptionsFromConfig') }),
  };
  return mergeLibraryOptions('sequelizeOptionsFromConfig', ours, merge, {
    password: PASSWORD_DEFEATS,
    'dialectOptions.password': PASSWORD_DEFEATS,
    'dialectOptions.authPlugins': AUTH_PLUGIN_DEFEATS,
    'dialectOptions.authSwitchHandler': AUTH_PLUGIN_DEFEATS,
    replication: REPLICAS_DEFEAT,
    url: URL_DEFEATS,
  });
}
