import { connect as netConnect } from 'node:net';
import type { Connection, Pool, PoolOptions } from 'mysql2/promise';
import type { ResolvedConfig } from '../config/types.js';
import type { TokenSource } from '../token/token-source.js';
import { connectPlanFor } from './plan.js';
import { loadDriver } from './load-driver.js';
import { sniName, tlsPlanFor } from './tls.js';
import { tagError, withTokenRetry } from './retry.js';
import { trackFetches } from './tracked-source.js';

type MysqlModule = typeof import('mysql2/promise');

const loadMysql = loadDriver('mysql2', async () => {
  const mod = (await import('mysql2/promise')) as MysqlModule & { default?: MysqlModule };
  return mod.default ?? mod;
});

interface HandshakeCommand {
  once(event: 'error', listener: (err: unknown) => void): unknown;
}

/**
 * RDS asks for `mysql_clear_password`; this plugin answers with a token fetched when the
 * server asks, so each physical connection of a pool gets one that is valid now.
 */
function clearPasswordPlugin(source: TokenSource) {
  return ({ command }: { command: unknown }) =>
    async (): Promise<Buffer> => {
      const token = await source.get();
      // The handshake command emits the server's refusal: tag it with the token that was sent.
      (command as HandshakeCommand).once('error', (err) => tagError(err, token));
      return Buffer.from(`${token.value.reveal()}\0`);
    };
}

/**
 * mysql2 closes idle connections only while `maxIdle` is below `connectionLimit` (and then checks once a
 * second), so an idle timeout needs maxIdle one below the limit to take effect.
 */
function idleOptions(pool: ResolvedConfig['pool']): Pick<PoolOptions, 'idleTimeout' | 'maxIdle'> {
  if (pool.idle_timeout_ms === undefined) return {};
  const limit = pool.max ?? MYSQL2_DEFAULT_CONNECTION_LIMIT;
  return { idleTimeout: pool.idle_timeout_ms, maxIdle: Math.max(0, limit - 1) };
}

const MYSQL2_DEFAULT_CONNECTION_LIMIT = 10;

/** Plain mysql2 pool/connection options (token auth plugin, TLS verified) for ORMs that build the pool. */
export async function mysqlPoolOptions(config: ResolvedConfig, source: TokenSource | undefined): Promise<PoolOptions> {
  const plan = connectPlanFor(config);
  const tls = await tlsPlanFor(config);
  const base: PoolOptions = {
    user: plan.user,
    database: plan.database,
    port: plan.port,
    connectTimeout: plan.timeoutMs,
    ...(config.pool.max !== undefined && { connectionLimit: config.pool.max }),
    ...idleOptions(config.pool),
    ...(source
      ? { authPlugins: { mysql_clear_password: clearPasswordPlugin(source) as never } }
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

/** Opens one mysql2/promise connection; a refused cached token is replaced and retried once. */
export async function openMysqlConnection(config: ResolvedConfig, source: TokenSource | undefined): Promise<Connection> {
  const mysql = await loadMysql();
  const tracked = source && trackFetches(source);
  const options = await mysqlPoolOptions(config, tracked);
  const connection = await withTokenRetry(tracked, 'mysql', () => mysql.createConnection(options));
  // mysql2 keeps the DSN password (no plugin) on the connection's config; the handshake is over.
  (connection as unknown as { connection: HeldConfig }).connection.config.password = undefined;
  return connection;
}

interface HeldConfig {
  config: { password?: string };
}

interface CorePool {
  getConnection(cb: (err: unknown, conn?: unknown) => void): void;
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
function takingYoungConnections(core: CorePool, lifetimeS: number | undefined): (take: () => Promise<unknown>) => Promise<unknown> {
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

/** A mysql2/promise pool whose every new physical connection takes a current token. */
export async function openMysqlPool(config: ResolvedConfig, source: TokenSource | undefined): Promise<Pool> {
  const mysql = await loadMysql();
  const tracked = source && trackFetches(source);
  const pool = mysql.createPool(await mysqlPoolOptions(config, tracked));
  // query(), execute() and getConnection() all pass through the core pool's getConnection:
  // wrapping it there gives every path the one retry.
  const core = pool.pool as unknown as CorePool & { config: { connectionConfig: { password?: string } } };
  // Every new connection needs the DSN password (no plugin), so it stays, but out of util.inspect and JSON.
  Object.defineProperty(core.config.connectionConfig, 'password', { enumerable: false });
  const getConnection = core.getConnection.bind(core);
  const young = takingYoungConnections(core, config.pool.max_lifetime_s);
  const once = () =>
    young(() => new Promise<unknown>((resolve, reject) => getConnection((err, conn) => (err ? reject(err) : resolve(conn)))));
  core.getConnection = (cb) => {
    withTokenRetry(tracked, 'mysql', once).then((conn) => cb(null, conn), cb);
  };
  return pool;
}
