import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { RdsIamChannel } from '../events.js';
import { serveHealth } from '../proxy/health.js';
import { Listener } from '../proxy/listener.js';
import { proxyOptions, ProxyUsageError, type ProxyOptions } from '../proxy/options.js';
import { proxiedConnection, type ProxiedConnection } from '../proxy/proxied-connection.js';
import { upstreamFailure } from '../proxy/upstream-failure.js';
import { type Options, parseOptions } from './args.js';
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, loadOptions, type CliIo } from './io.js';

export const PROXY_HELP = `Usage: rdsiam proxy [--connection NAME | --all] [--config FILE] [--listen HOST:PORT] [--unix-socket DIR]
         [--password-file FILE] [--tls-cert FILE --tls-key FILE] [--max-connections N] [--idle-timeout-s N]
         [--max-sigterm-delay-s N] [--health-check HOST:PORT] [--json]

Listens locally and speaks the database's own protocol, PostgreSQL or MySQL as the DSN says. Each client gets its
own connection to the database, signed in with a fresh IAM token over verified TLS; then bytes pass both ways. For
GUIs (DBeaver, DataGrip), AI agents and MCP servers, Bun.SQL, and programs in any language:
  rdsiam proxy          then: psql "host=127.0.0.1 user=app dbname=app"  (any password, or none)

Options:
      --all                      serve every connection of the config, one listener each
      --listen HOST:PORT         where to listen (default: 127.0.0.1 on the DSN's port; port 0 picks a free one)
      --unix-socket DIR          listen on a socket in DIR instead, named as drivers expect (.s.PGSQL.<port>,
                                 mysqld.sock); DIR is made private (mode 0700), which keeps other local users out
      --password-file FILE       clients must give this password (or set RDSIAM_PROXY_PASSWORD); without one, on
                                 loopback, any password or none is accepted
      --tls-cert FILE --tls-key FILE
                                 TLS toward clients, who must then use it
      --max-connections N        turn away clients beyond N with the protocol's "too many connections" error
      --idle-timeout-s N         close a session after N seconds without a byte either way (default: never)
      --max-sigterm-delay-s N    on SIGINT or SIGTERM, let sessions finish for up to N seconds (default 10)
      --health-check HOST:PORT   serve /startup, /readiness (an upstream sign-in works now) and /liveness over HTTP
      --json                     one JSON line per event on stderr: accept, upstream-open, refused, close
${CONFIG_FLAGS_HELP}

A listener on an address other than loopback needs a local password and TLS toward clients.
When ready, prints one line per listener on stdout:
  rdsiam proxy: listening on 127.0.0.1:5432 -> <endpoint> (<engine>, user <user>)

Exit code: 0 after SIGINT or SIGTERM, 1 when it cannot start serving, 2 for a usage or config error.`;

export const PROXY_OPTIONS = {
  ...CONFIG_FLAGS,
  all: { type: 'boolean' },
  listen: { type: 'string' },
  'unix-socket': { type: 'string' },
  'password-file': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'max-connections': { type: 'string' },
  'idle-timeout-s': { type: 'string' },
  'max-sigterm-delay-s': { type: 'string' },
  'health-check': { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies Options;

const EVENTS = ['accept', 'upstream-open', 'refused', 'close'] as const;

export async function proxyCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions({ args, options: PROXY_OPTIONS, allowPositionals: false });
  if (values.help) {
    io.out(`${PROXY_HELP}\n`);
    return 0;
  }
  const listeners: Listener[] = [];
  const stopEvents = reportEvents(io, values.json === true);
  try {
    if (values.all && values.connection !== undefined) {
      throw new ProxyUsageError('--all serves every connection; give it or --connection NAME, not both');
    }
    const options = await proxyOptions(values, io.env, io.cwd);
    const connections = await proxiedConnections(io, values, options);
    for (const connection of connections) {
      const listener = new Listener(connection.name, connection.serve, options.maxConnections);
      listeners.push(listener);
      const where = await listener.listen(listenAddress(connection, options));
      io.out(
        `rdsiam proxy: listening on ${where} -> ${connection.endpoint} (${connection.engine}, user ${connection.user})\n`,
      );
    }
    let stopping = false;
    const health =
      options.healthCheck &&
      (await serveHealth(options.healthCheck, {
        started: () => true,
        stopping: () => stopping,
        probe: () => probeAll(connections),
      }));
    await signalled();
    stopping = true;
    await health?.close();
    await Promise.all(listeners.map((l) => l.close(options.sigtermDelayMs)));
    return 0;
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close(0)));
    if (!(err instanceof ProxyUsageError)) throw err;
    io.err(`rdsiam proxy: ${err.message}\n`);
    return 2;
  } finally {
    stopEvents();
  }
}

async function proxiedConnections(
  io: CliIo,
  flags: { config?: string; connection?: string; all?: boolean },
  options: ProxyOptions,
): Promise<ProxiedConnection[]> {
  const first = await loadConfig(loadOptions(io, flags));
  const names = flags.all ? first.connectionNames : [first.connection];
  const configs = await Promise.all(
    names.map((name) =>
      name === first.connection ? first : loadConfig(loadOptions(io, { ...flags, connection: name })),
    ),
  );
  return Promise.all(configs.map((config) => proxiedConnection(config, options, io.tokenDeps)));
}

function listenAddress(connection: ProxiedConnection, options: ProxyOptions) {
  if (options.unixSocketDir !== undefined && options.listen === undefined) {
    return { path: join(options.unixSocketDir, connection.socketName) };
  }
  return options.listen ?? { host: '127.0.0.1', port: connection.port };
}

async function probeAll(connections: ProxiedConnection[]): Promise<string | undefined> {
  const failures = await Promise.all(
    connections.map((c) =>
      c.probe().then(
        () => undefined,
        (err: unknown) => `${c.name}: ${upstreamFailure(err, { host: c.endpoint, port: c.port }).message}`,
      ),
    ),
  );
  const failed = failures.filter((f) => f !== undefined);
  return failed.length === 0 ? undefined : failed.join('\n');
}

/** Resolves on the first SIGINT or SIGTERM; the proxy then drains and exits 0. */
function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** With --json every proxy event as a JSON line on stderr; without, refusals as text. Returns the unsubscriber. */
function reportEvents(io: CliIo, json: boolean): () => void {
  const handlers = EVENTS.map((event) => {
    const channel: RdsIamChannel = `rdsiam:proxy:${event}`;
    const handler = (payload: unknown) => {
      if (json) io.err(`${JSON.stringify({ event, time: new Date().toISOString(), ...(payload as object) })}\n`);
      else if (event === 'refused') {
        const { connection, session, code, reason } = payload as { [k: string]: unknown };
        io.err(`rdsiam proxy: ${connection} session ${session} refused (${code}): ${reason}\n`);
      }
    };
    subscribe(channel, handler);
    return [channel, handler] as const;
  });
  return () => {
    for (const [channel, handler] of handlers) unsubscribe(channel, handler);
  };
}
