import { createSecureContext } from 'node:tls';
import type { Engine } from '../config/dsn.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { connectRetryFor, withConnectRetry } from '../drivers/connect-retry.js';
import { connectPlanFor } from '../drivers/plan.js';
import { withTokenRetry } from '../drivers/retry.js';
import { nodeTlsOptions, tlsPlanFor } from '../drivers/tls.js';
import { trackFetches } from '../drivers/tracked-provider.js';
import { tokenProviderFor, type TokenDeps } from '../token/token-provider.js';
import { CancelMap, type UpstreamKey } from './cancel-map.js';
import type { Serve } from './listener.js';
import type { ProxyOptions } from './options.js';
import { localPasswordHashes } from './mysql-local-password.js';
import { type HandshakeResponse, QUIT_PACKET } from './mysql-packets.js';
import { mysqlServe } from './mysql-session.js';
import { dialMysql, type MysqlDialled, plainResponse, runAndQuit, signInMysql } from './mysql-upstream.js';
import { scramVerifier } from './pg-scram.js';
import { pgServe, TERMINATE } from './pg-session.js';
import { openPgUpstream } from './pg-upstream.js';
import type { UpstreamDial } from './upstream-dial.js';

/** One configured connection as the proxy serves it. */
export interface ProxiedConnection {
  /** The config's connection name (`default` for the top level). */
  name: string;
  engine: Engine;
  user: string;
  /** What the token is signed for, `host:port`: the endpoint, whatever address is dialled. */
  endpoint: string;
  /** The DSN's port: the default local port, and the one in the PostgreSQL socket's name. */
  port: number;
  /** The file name drivers look for in a socket directory. */
  socketName: string;
  serve: Serve;
  /** Signs in upstream once and closes again (readiness); throws why it could not. */
  probe(): Promise<void>;
}

/** Checks the connection's IAM and TLS settings (no token is signed yet) and prepares its sessions. */
export async function proxiedConnection(
  config: ResolvedConfig,
  options: ProxyOptions,
  deps: TokenDeps | undefined,
): Promise<ProxiedConnection> {
  const provider = tokenProviderFor(config, deps);
  const plan = connectPlanFor(config);
  const tlsPlan = await tlsPlanFor(config);
  const target = await provider.target();
  const dial: UpstreamDial = {
    host: plan.host,
    port: plan.port,
    tls: tlsPlan && (await nodeTlsOptions(tlsPlan)),
    timeoutMs: plan.timeoutMs,
  };
  const common = {
    name: config.connection,
    engine: config.dsn.engine,
    user: plan.user,
    endpoint: `${target.host}:${target.port}`,
    port: plan.port,
  };
  const clientTls = options.tls && createSecureContext({ cert: options.tls.cert, key: options.tls.key });
  // A client's upstream connection rides through a restart, failover or throttling as the drivers' connects do; the
  // readiness probe does not wait: it reports whether a sign-in works now.
  const retry = connectRetryFor(config);
  if (config.dsn.engine === 'mysql') {
    const connect = () => dialMysql(dial);
    const open = (client: HandshakeResponse, dialled: MysqlDialled | undefined) => {
      const tracked = trackFetches(provider);
      // A retry needs a connection of its own: the database closes one that refused a token.
      let first = dialled;
      return withTokenRetry(tracked, 'mysql', async () => {
        const on = first ?? (await connect());
        first = undefined;
        return signInMysql(dial, on, client, tracked);
      });
    };
    /** A connection of the proxy's own, as a client with nothing to ask for signs in. */
    const signInAlone = async () => {
      const dialled = await connect();
      return open(plainResponse(dialled.greeting, plan.user, plan.database), dialled);
    };
    return {
      ...common,
      socketName: 'mysqld.sock',
      serve: mysqlServe({
        dial,
        user: plan.user,
        database: plan.database,
        connect: () => withConnectRetry(retry, connect),
        open: (client, dialled) => {
          let first: MysqlDialled | undefined = dialled;
          return withConnectRetry(retry, () => {
            const on = first;
            first = undefined;
            return open(client, on);
          });
        },
        // KILL CONNECTION rather than KILL QUERY: the client is gone, so nothing is left to keep its connection for.
        kill: async (id) => runAndQuit(await signInAlone(), `KILL CONNECTION ${id}`),
        password: options.password && localPasswordHashes(options.password.reveal()),
        tls: clientTls,
        idleTimeoutMs: options.idleTimeoutMs,
      }),
      probe: async () => {
        (await signInAlone()).socket.end(QUIT_PACKET);
      },
    };
  }
  const open = (params: Record<string, string>) => {
    const tracked = trackFetches(provider);
    return withTokenRetry(tracked, 'postgres', () => openPgUpstream(dial, params, tracked));
  };
  const startupDefaults = { user: plan.user, ...(plan.database === undefined ? {} : { database: plan.database }) };
  return {
    ...common,
    socketName: `.s.PGSQL.${plan.port}`,
    serve: pgServe({
      dial,
      user: plan.user,
      database: plan.database,
      open: (params) => withConnectRetry(retry, () => open(params)),
      password: options.password && scramVerifier(options.password.reveal()),
      tls: clientTls,
      idleTimeoutMs: options.idleTimeoutMs,
      cancels: new CancelMap<UpstreamKey>(),
    }),
    probe: async () => {
      const upstream = await open(startupDefaults);
      upstream.socket.end(TERMINATE);
    },
  };
}
