import type { EventEmitter } from 'node:events';
import type { Client, ClientConfig, Pool, PoolClient, PoolConfig } from 'pg';
import type { ResolvedConfig } from '../config/resolve.js';
import type { IssuedToken, TokenProvider } from '../token/token-provider.js';
import { connectPlanFor } from './plan.js';
import { lazyPackage, missingPackage } from '../optional-package.js';
import { nodeTlsOptions, tlsPlanFor } from './tls.js';
import { dropIfRefused, tagError, withTokenRetry } from './retry.js';
import { trackFetches, type TrackedProvider } from './tracked-provider.js';
import { connectRetryFor, withConnectRetry, type ConnectRetryPolicy } from './connect-retry.js';
import { pacedLogins } from './login-rate.js';

type PgModule = typeof import('pg');

const loadPg = lazyPackage(
  (p) => p.pg(),
  () => import('pg').catch(missingPackage('pg', 'for this DSN')),
);

/** The token each client sent, so a refused login can be traced back to a cached token. */
const tokenOfClient = new WeakMap<object, IssuedToken>();

interface PgClientLike {
  connection: EventEmitter;
}

function isPgClient(self: unknown): self is PgClientLike {
  return typeof (self as { connection?: { once?: unknown } } | undefined)?.connection?.once === 'function';
}

/**
 * pg calls a function password once per physical connection, with the client as `this`:
 * every new connection of a long-lived pool gets a token that is valid now. When the server refuses
 * a cached token, the token is dropped, so a pool built by a library signs a fresh one next time.
 * Libraries that call it without a pg client (postgres.js, MikroORM) get the token alone.
 */
function tokenPassword(provider: TokenProvider): () => Promise<string> {
  return async function (this: unknown) {
    const token = await provider.get();
    if (isPgClient(this)) {
      const { connection } = this;
      tokenOfClient.set(this, token);
      // pg reports the server's refusal as an `errorMessage` on its connection; after the login, not ours to watch.
      const onRefusal = (err: unknown) => dropIfRefused(provider, token, 'postgres', err);
      connection.once('errorMessage', onRefusal);
      connection.once('readyForQuery', () => connection.off('errorMessage', onRefusal));
    }
    return token.value.reveal();
  };
}

/** `pg` pool options with the keys `pgPoolConfig` always sets. */
type PgPoolSettings = PoolConfig & Required<Pick<PoolConfig, 'host' | 'port' | 'user' | 'connectionTimeoutMillis'>>;

/** Plain `pg` pool options (password as a token function, TLS verified) for ORMs that build the pool. */
export async function pgPoolConfig(
  config: ResolvedConfig,
  provider: TokenProvider | undefined,
): Promise<PgPoolSettings> {
  const plan = connectPlanFor(config);
  const tls = await tlsPlanFor(config);
  return {
    host: plan.host,
    port: plan.port,
    user: plan.user,
    database: plan.database,
    password: provider ? tokenPassword(pacedLogins(provider, config)) : config.dsn.password?.reveal(),
    ssl: tls && (await nodeTlsOptions(tls)),
    connectionTimeoutMillis: plan.timeoutMs,
    ...(config.pool.max !== undefined && { max: config.pool.max }),
    ...(config.pool.idle_timeout_ms !== undefined && { idleTimeoutMillis: config.pool.idle_timeout_ms }),
    // pg closes a connection this old when it is idle or next released (0: never).
    ...(config.pool.max_lifetime_s !== undefined && { maxLifetimeSeconds: config.pool.max_lifetime_s }),
  };
}

interface HeldPassword {
  password: unknown;
  connectionParameters: { password: unknown };
}

function forgetPassword(client: object): void {
  const held = client as unknown as HeldPassword;
  held.password = null;
  held.connectionParameters.password = null;
}

type ConnectCallback = ((err: Error) => void) | ((err: null, c: Client) => void);

const taggingClients = new WeakMap<PgModule, typeof Client>();

/** A pg.Client whose failed connect says which token it sent. One class per pg module, made once. */
function taggingClient(pg: PgModule): typeof Client {
  let found = taggingClients.get(pg);
  if (found === undefined) taggingClients.set(pg, (found = defineTaggingClient(pg)));
  return found;
}

function defineTaggingClient(pg: PgModule): typeof Client {
  return class RdsIamPgClient extends pg.Client {
    override connect(): Promise<Client>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<Client> | void {
      const connecting = super.connect().then(
        () => this as Client,
        (err: unknown) => {
          tagError(err, tokenOfClient.get(this));
          // pg leaves the socket open when the password callback fails (e.g. a CredentialsError): close it,
          // or the server holds it until its authentication timeout and the process cannot exit.
          this.end().catch(() => {});
          throw err;
        },
      );
      // pg keeps the resolved password (the token) on the client, hidden but inspectable; the handshake is over.
      void connecting.then(
        () => forgetPassword(this),
        () => forgetPassword(this),
      );
      if (!callback) return connecting;
      const done = callback as (err: Error | null, c?: Client) => void;
      connecting.then(
        (client) => done(null, client),
        (err: Error) => done(err),
      );
    }
  };
}

/**
 * Opens one pg client; a refused cached token is replaced and retried once, and a server that is restarting,
 * failing over, resuming or throttling is tried again within `connect_retry_budget_ms`.
 */
export async function openPgClient(config: ResolvedConfig, provider: TokenProvider | undefined): Promise<Client> {
  const pg = await loadPg();
  const tracked = provider && trackFetches(provider);
  const options = (await pgPoolConfig(config, tracked)) as ClientConfig;
  const PgClient = taggingClient(pg);
  return withConnectRetry(connectRetryFor(config), () =>
    withTokenRetry(tracked, 'postgres', async () => {
      const client = new PgClient(options);
      const connecting = client.connect();
      // The SDK loads while the socket connects and TLS is negotiated, not after the server asks for the token.
      tracked?.warm?.();
      await connecting;
      return client;
    }),
  );
}

type PoolConnectCallback = (
  err: Error | undefined,
  client: PoolClient | undefined,
  done: (release?: any) => void,
) => void;

/**
 * A pg.Pool class whose clients tag the token they sent and whose connect() retries a refused cached token once, and
 * a transient server state within the retry budget. A connect() served by an idle client opens nothing and fails not.
 */
function retryingPoolClass(pg: PgModule, tracked: TrackedProvider | undefined, retry: ConnectRetryPolicy): typeof Pool {
  const PgClient = taggingClient(pg);
  return class RdsIamPgPool extends pg.Pool {
    constructor(options?: PoolConfig) {
      super({ ...options, Client: PgClient });
    }

    override connect(): Promise<PoolClient>;
    override connect(callback: PoolConnectCallback): void;
    override connect(callback?: PoolConnectCallback): Promise<PoolClient> | void {
      // pool.query() goes through connect() too, so queries get the retry as well.
      const connecting = withConnectRetry(retry, () => withTokenRetry(tracked, 'postgres', () => super.connect()));
      tracked?.warm?.();
      if (!callback) return connecting;
      connecting.then(
        (client) =>
          callback(undefined, client, (release?: unknown) => client.release(release as Error | boolean | undefined)),
        (err: Error) => callback(err, undefined, () => {}),
      );
    }
  };
}

/** A pg.Pool whose every new physical connection takes a current token, retrying a refused cached token once. */
export async function openPgPool(config: ResolvedConfig, provider: TokenProvider | undefined): Promise<Pool> {
  const pg = await loadPg();
  const tracked = provider && trackFetches(provider);
  const RdsIamPgPool = retryingPoolClass(pg, tracked, connectRetryFor(config));
  return new RdsIamPgPool(await pgPoolConfig(config, tracked));
}

/**
 * The pg module for libraries that take a driver module (TypeORM's `driver`): the same module, but its
 * Pool retries a refused cached token once. Pass the same tracked provider to `pgPoolConfig`.
 */
export async function pgModuleWithRetry(
  tracked: TrackedProvider | undefined,
  retry: ConnectRetryPolicy,
): Promise<PgModule> {
  const pg = await loadPg();
  return Object.create(pg, { Pool: { value: retryingPoolClass(pg, tracked, retry), enumerable: true } }) as PgModule;
}
