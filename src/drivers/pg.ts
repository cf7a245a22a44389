import type { Client, ClientConfig, Pool, PoolClient, PoolConfig } from 'pg';
import type { ResolvedConfig } from '../config/types.js';
import type { IssuedToken, TokenSource } from '../token/token-source.js';
import { connectPlanFor } from './plan.js';
import { loadDriver } from './load-driver.js';
import { identityCheck, sniName, tlsPlanFor } from './tls.js';
import { tagError, withTokenRetry } from './retry.js';
import { trackFetches } from './tracked-source.js';

type PgModule = typeof import('pg');

const loadPg = loadDriver('pg', async () => {
  const mod = (await import('pg')) as PgModule & { default?: PgModule };
  return mod.default ?? mod;
});

/** The token each client sent, so a refused login can be traced back to a cached token. */
const tokenOfClient = new WeakMap<object, IssuedToken>();

/**
 * pg calls a function password once per physical connection, with the client as `this`:
 * every new connection of a long-lived pool gets a token that is valid now.
 */
function tokenPassword(source: TokenSource): () => Promise<string> {
  return async function (this: object) {
    const token = await source.get();
    tokenOfClient.set(this, token);
    return token.value.reveal();
  };
}

/** Plain `pg` pool options (password as a token function, TLS verified) for ORMs that build the pool. */
export async function pgPoolConfig(config: ResolvedConfig, source: TokenSource | undefined): Promise<PoolConfig> {
  const plan = connectPlanFor(config);
  const tls = await tlsPlanFor(config);
  return {
    host: plan.host,
    port: plan.port,
    user: plan.user,
    database: plan.database,
    password: source ? tokenPassword(source) : config.dsn.password?.reveal(),
    ssl: tls && {
      ca: tls.ca,
      rejectUnauthorized: tls.rejectUnauthorized,
      servername: sniName(tls.verifyName),
      checkServerIdentity: identityCheck(tls),
    },
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
      void connecting.then(() => forgetPassword(this), () => forgetPassword(this));
      if (!callback) return connecting;
      const done = callback as (err: Error | null, c?: Client) => void;
      connecting.then((client) => done(null, client), (err: Error) => done(err));
    }
  };
}

/** Opens one pg client; a refused cached token is replaced and retried once. */
export async function openPgClient(config: ResolvedConfig, source: TokenSource | undefined): Promise<Client> {
  const pg = await loadPg();
  const tracked = source && trackFetches(source);
  const options = (await pgPoolConfig(config, tracked)) as ClientConfig;
  const PgClient = taggingClient(pg);
  return withTokenRetry(tracked, 'postgres', async () => {
    const client = new PgClient(options);
    await client.connect();
    return client;
  });
}

type PoolConnectCallback = (err: Error | undefined, client: PoolClient | undefined, done: (release?: any) => void) => void;

/** A pg.Pool whose every new physical connection takes a current token, retrying a refused cached one once. */
export async function openPgPool(config: ResolvedConfig, source: TokenSource | undefined): Promise<Pool> {
  const pg = await loadPg();
  const tracked = source && trackFetches(source);
  const options = await pgPoolConfig(config, tracked);
  const PgClient = taggingClient(pg);
  class RdsIamPgPool extends pg.Pool {
    override connect(): Promise<PoolClient>;
    override connect(callback: PoolConnectCallback): void;
    override connect(callback?: PoolConnectCallback): Promise<PoolClient> | void {
      // pool.query() goes through connect() too, so queries get the retry as well.
      const connecting = withTokenRetry(tracked, 'postgres', () => super.connect());
      if (!callback) return connecting;
      connecting.then(
        (client) => callback(undefined, client, (release?: unknown) => client.release(release as Error | boolean | undefined)),
        (err: Error) => callback(err, undefined, () => {}),
      );
    }
  }
  return new RdsIamPgPool({ ...options, Client: PgClient });
}
