import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { publish } from '../events.js';
import { ProxyUsageError } from './options.js';
import type { RelayStats } from './relay.js';

export type ListenAddress = { host: string; port: number } | { path: string };

/** One accepted client, as the engine's session code sees it. */
export interface Session {
  readonly id: number;
  readonly connection: string;
  /** Takes one of `--max-connections` places for the rest of the session; false when none is free. */
  admit(): boolean;
  /** The proxy turned the client away, or the database turned the proxy away. Never pass a token. */
  refused(code: string, reason: string): void;
  upstreamOpened(durationMs: number, fingerprint: string): void;
}

/** Serves one client until its session ends; the stats when it got as far as relaying. */
export type Serve = (socket: Socket, session: Session) => Promise<RelayStats | undefined>;

let lastSessionId = 0;

/** One local listener for one configured connection: accepts, counts and, at shutdown, drains its sessions. */
export class Listener {
  readonly connection: string;
  readonly #serve: Serve;
  readonly #maxConnections: number | undefined;
  readonly #server: Server;
  readonly #sessions = new Map<Socket, Promise<void>>();
  #admitted = 0;
  #path: string | undefined;

  constructor(connection: string, serve: Serve, maxConnections: number | undefined) {
    this.connection = connection;
    this.#serve = serve;
    this.#maxConnections = maxConnections;
    this.#server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
  }

  /** Starts listening; resolves to the address clients use (`127.0.0.1:5432`, or the socket's path). */
  async listen(address: ListenAddress): Promise<string> {
    if ('path' in address) await prepareSocketPath(address.path);
    await new Promise<void>((resolve, reject) => {
      const fail = (err: NodeJS.ErrnoException) => reject(listenError(err, address));
      this.#server.once('error', fail);
      this.#server.listen('path' in address ? address.path : { host: address.host, port: address.port }, () => {
        this.#server.off('error', fail);
        resolve();
      });
    });
    if ('path' in address) {
      this.#path = address.path;
      return address.path;
    }
    const bound = this.#server.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
    return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${port}`;
  }

  get sessions(): number {
    return this.#sessions.size;
  }

  /** Stops accepting, lets open sessions finish for up to `graceMs`, then closes what is left. */
  async close(graceMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(this.#sessions.values()), grace]);
    clearTimeout(timer);
    for (const socket of this.#sessions.keys()) socket.destroy();
    await Promise.all(this.#sessions.values());
    await stopped;
    if (this.#path !== undefined) await unlink(this.#path).catch(() => {});
  }

  #accept(socket: Socket): void {
    const id = ++lastSessionId;
    const { connection } = this;
    const started = Date.now();
    socket.on('error', () => socket.destroy());
    publish('rdsiam:proxy:accept', () => ({
      connection,
      session: id,
      client: socket.remoteAddress === undefined ? 'unix' : `${socket.remoteAddress}:${socket.remotePort}`,
    }));
    let admitted = false;
    const session: Session = {
      id,
      connection,
      admit: () => {
        if (admitted) return true;
        if (this.#maxConnections !== undefined && this.#admitted >= this.#maxConnections) return false;
        admitted = true;
        this.#admitted++;
        return true;
      },
      refused: (code, reason) => publish('rdsiam:proxy:refused', () => ({ connection, session: id, code, reason })),
      upstreamOpened: (durationMs, fingerprint) =>
        publish('rdsiam:proxy:upstream-open', () => ({ connection, session: id, durationMs, fingerprint })),
    };
    const done = this.#serve(socket, session)
      .catch(() => undefined)
      .then((stats) => {
        socket.destroy();
        if (admitted) this.#admitted--;
        this.#sessions.delete(socket);
        publish('rdsiam:proxy:close', () => ({
          connection,
          session: id,
          durationMs: Date.now() - started,
          bytesFromClient: stats?.bytesFromClient ?? 0,
          bytesToClient: stats?.bytesToClient ?? 0,
        }));
      });
    this.#sessions.set(socket, done);
  }
}

/** The socket's directory is made private (0700): the way to keep other local users out. A stale socket goes. */
async function prepareSocketPath(path: string): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isSocket()) await unlink(path);
}

function listenError(err: NodeJS.ErrnoException, address: ListenAddress): Error {
  const where = 'path' in address ? address.path : `${address.host}:${address.port}`;
  if (err.code === 'EADDRINUSE') {
    return new ProxyUsageError(
      `${where} is in use. Choose another address with --listen HOST:PORT (port 0 picks a free one).`,
    );
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES') {
    return new ProxyUsageError(`cannot listen on ${where}: ${err.code}`);
  }
  return err;
}
