import { createSecureContext } from 'node:tls';
import type { Engine } from '../config/dsn.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { connectPlanFor } from '../drivers/plan.js';
import { withTokenRetry } from '../drivers/retry.js';
import { nodeTlsOptions, tlsPlanFor } from '../drivers/tls.js';
import { trackFetches } from '../drivers/tracked-provider.js';
import { tokenProviderFor, type TokenDeps } from '../token/token-provider.js';
import { CancelMap, type UpstreamKey } from './cancel-map.js';
import type { Serve } from './listener.js';
import type { ProxyOptions } from './options.js';
import { nativePasswordHash } from './mysql-native-password.js';
import { COM_QUIT, type HandshakeResponse, packet } from './mysql-packets.js';
import { mysqlServe } from './mysql-session.js';
import { dialMysql, type MysqlDialled, plainResponse, signInMysql } from './mysql-upstream.js';
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
    return {
      ...common,
      socketName: 'mysqld.sock',
      serve: mysqlServe({
        dial,
        user: plan.user,
        database: plan.database,
        connect,
        open,
        password: options.password && nativePasswordHash(options.password.reveal()),
        tls: clientTls,
        idleTimeoutMs: options.idleTimeoutMs,
      }),
      probe: async () => {
        const dialled = await connect();
        const upstream = await open(plainResponse(dialled.greeting, plan.user, plan.database), dialled);
        upstream.socket.end(packet(0, Buffer.from([COM_QUIT])));
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
      open,
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
