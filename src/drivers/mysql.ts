import { connect as netConnect } from 'node:net';
import type { Connection, ConnectionOptions, Pool, PoolOptions } from 'mysql2/promise';
import { DRIVER_POOL_MAX } from '../config/keys.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { TokenProvider } from '../token/token-provider.js';
import { connectPlanFor } from './plan.js';
import { lazyPackage, missingPackage } from '../optional-package.js';
import { sniName, tlsPlanFor } from './tls.js';
import { dropIfRefused, tagError, withTokenRetry } from './retry.js';
import { trackFetches, type TrackedProvider } from './tracked-provider.js';
import { connectRetryFor, withConnectRetry, type ConnectRetryPolicy } from './connect-retry.js';
import { pacedLogins } from './login-rate.js';

const loadMysql = lazyPackage(
  (p) => p.mysql2Promise(),
  () => import('mysql2/promise').catch(missingPackage('mysql2', 'for this DSN')),
);

interface HandshakeCommand {
  once(event: 'error', listener: (err: unknown) => void): unknown;
}

/**
 * RDS asks for `mysql_clear_password`; this plugin answers with a token fetched when the
 * server asks, so each physical connection of a pool gets one that is valid now.
 */
function clearPasswordPlugin(provider: TokenProvider) {
  return ({ command }: { command: unknown }) =>
    async (): Promise<Buffer> => {
      const token = await provider.get();
      // The handshake command emits the server's refusal: tag it with the token that was sent, and drop
      // that token if it came from the cache, so a pool built by a library signs a fresh one next time.
      (command as HandshakeCommand).once('error', (err) => {
        tagError(err, token);
        dropIfRefused(provider, token, 'mysql', err);
      });
      return Buffer.from(`${token.value.reveal()}\0`);
    };
}

/**
 * mysql2 closes idle connections only while `maxIdle` is below `connectionLimit` (and then checks once a
 * second), so an idle timeout needs maxIdle one below the limit to take effect.
 */
function idleOptions(pool: ResolvedConfig['pool']): Pick<PoolOptions, 'idleTimeout' | 'maxIdle'> {
  if (pool.idle_timeout_ms === undefined) return {};
  const limit = pool.max ?? DRIVER_POOL_MAX;
  return { idleTimeout: pool.idle_timeout_ms, maxIdle: Math.max(0, limit - 1) };
}

/**
 * Plain mysql2 options for one connection (token auth plugin, TLS verified): for libraries that open
 * connections themselves (Knex under MikroORM, Sequelize). Pool-only keys would be warned about there.
 */
export async function mysqlConnectionOptions(
  config: ResolvedConfig,
  provider: TokenProvider | undefined,
): Promise<ConnectionOptions> {
  const plan = connectPlanFor(config);
  const tls = await tlsPlanFor(config);
  const base: ConnectionOptions = {
    user: plan.user,
    database: plan.database,
    port: plan.port,
    connectTimeout: plan.timeoutMs,
    ...(provider
      ? { authPlugins: { mysql_clear_password: clearPasswordPlugin(pacedLogins(provider, config)) as never } }
      : { password: config.dsn.password?.reveal() }),
  };
  if (!tls) return { ...base, host: plan.host };
  // mysql2 checks the certificate against `host`; to check it against the RDS endpoint name while
  // reaching a tunnel or an IP, name the endpoint as host and open the socket ourselves.
  const name = sniName(tls.verifyName);
  return {
    ...base,
    host: name ?? plan.host,
    stream: () => {
      const socket = netConnect({ host: plan.host, port: plan.port });
      socket.setNoDelay(true);
      return socket;
    },
    ssl: { ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized, verifyIdentity: tls.verifyName !== null },
  };
}

/** Plain mysql2 pool options (the connection options, plus the config's pool size and idle timeout) for ORMs that build the pool. */
export async function mysqlPoolOptions(
  config: ResolvedConfig,
  provider: TokenProvider | undefined,
): Promise<PoolOptions> {
  return {
    ...(await mysqlConnectionOptions(config, provider)),
    ...(config.pool.max !== undefined && { connectionLimit: config.pool.max }),
    ...idleOptions(config.pool),
  };
}

/**
 * Opens one mysql2/promise connection; a refused cached token is replaced and retried once, and a server that is
 * restarting, failing over, resuming or throttling is tried again within `connect_retry_budget_ms`.
 */
export async function openMysqlConnection(
  config: ResolvedConfig,
  provider: TokenProvider | undefined,
): Promise<Connection> {
  const mysql = await loadMysql();
  const tracked = provider && trackFetches(provider);
  const options = await mysqlPoolOptions(config, tracked);
  const connection = await withConnectRetry(connectRetryFor(config), () =>
    withTokenRetry(tracked, 'mysql', () => {
      const connecting = mysql.createConnection(options);
      // The SDK loads while the socket connects and TLS is negotiated, not after the server asks for the token.
      tracked?.warm?.();
      return connecting;
    }),
  );
  // mysql2 keeps the DSN password (no plugin) on the connection's config; the handshake is over.
  (connection as unknown as { connection: HeldConfig }).connection.config.password = undefined;
  return connection;
}

interface HeldConfig {
  config: { password?: string };
}

interface CorePool {
  getConnection(cb: (err: unknown, conn?: unknown) => void): void;
  config: { connectionConfig: { password?: string } };
  on(event: 'connection', listener: (conn: object) => void): unknown;
}

interface CoreConnection {
  destroy(): void;
}

/**
 * pool.max_lifetime_s for mysql2, which has no such option: a pooled connection older than that is closed when it
 * is next taken from the pool, and another (new, if none is younger) is taken instead. An idle connection is not
 * closed before it is asked for.
 */
function takingYoungConnections(
  core: CorePool,
  lifetimeS: number | undefined,
): (take: () => Promise<unknown>) => Promise<unknown> {
  if (!lifetimeS) return (take) => take();
  const opened = new WeakMap<object, number>();
  core.on('connection', (conn) => opened.set(conn, Date.now()));
  return async (take) => {
    for (;;) {
      const conn = (await take()) as CoreConnection;
      if (Date.now() - (opened.get(conn) ?? Date.now()) < lifetimeS * 1000) return conn;
      conn.destroy();
    }
  };
}

/**
 * query(), execute() and getConnection() of a mysql2 pool all pass through the core pool's getConnection:
 * wrapping it there gives every path the one retry on a refused cached token, and the retries of a transient server
 * state within the budget (an idle connection taken from the pool cannot fail that way).
 */
function retryOnCorePool(
  core: CorePool,
  tracked: TrackedProvider | undefined,
  lifetimeS: number | undefined,
  retry: ConnectRetryPolicy,
): void {
  // Every new connection needs the DSN password (no plugin), so it stays, but out of util.inspect and JSON.
  Object.defineProperty(core.config.connectionConfig, 'password', { enumerable: false });
  const getConnection = core.getConnection.bind(core);
  const young = takingYoungConnections(core, lifetimeS);
  const once = () =>
    young(
      () =>
        new Promise<unknown>((resolve, reject) => getConnection((err, conn) => (err ? reject(err) : resolve(conn)))),
    );
  core.getConnection = (cb) => {
    withConnectRetry(retry, () => withTokenRetry(tracked, 'mysql', once)).then((conn) => cb(null, conn), cb);
    tracked?.warm?.();
  };
}

/** A mysql2/promise pool whose every new physical connection takes a current token. */
export async function openMysqlPool(config: ResolvedConfig, provider: TokenProvider | undefined): Promise<Pool> {
  const mysql = await loadMysql();
  const tracked = provider && trackFetches(provider);
  const pool = mysql.createPool(await mysqlPoolOptions(config, tracked));
  retryOnCorePool(pool.pool as unknown as CorePool, tracked, config.pool.max_lifetime_s, connectRetryFor(config));
  return pool;
}

type MysqlCoreModule = typeof import('mysql2');

const loadMysqlCore = lazyPackage(
  (p) => p.mysql2(),
  () => import('mysql2').catch(missingPackage('mysql2', 'for this DSN')),
);

/**
 * The callback-style mysql2 module for libraries that take a driver module (TypeORM's `driver`): the same
 * module, but its pools retry a refused cached token once. Pass the same tracked provider to `mysqlPoolOptions`.
 */
export async function mysqlModuleWithRetry(
  tracked: TrackedProvider | undefined,
  lifetimeS: number | undefined,
  retry: ConnectRetryPolicy,
): Promise<MysqlCoreModule> {
  const mysql = await loadMysqlCore();
  const createPool = (options: PoolOptions) => {
    const pool = mysql.createPool(options);
    retryOnCorePool(pool as unknown as CorePool, tracked, lifetimeS, retry);
    return pool;
  };
  return Object.create(mysql, { createPool: { value: createPool, enumerable: true } }) as MysqlCoreModule;
}
