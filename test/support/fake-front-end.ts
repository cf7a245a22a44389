import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Testbed } from './testbed.js';

/**
 * What the fake does with one incoming connection: relay it to the test bed server (after holding it `holdMs`, as a
 * paused Aurora Serverless v2 instance holds a connect while it resumes), answer its login with a server error
 * (PostgreSQL ErrorResponse with SQLSTATE `code`; MySQL ERR packet with `errno` and `code` as its SQLSTATE), as a
 * restarting server or RDS Proxy does, or hang up at once.
 */
export type FrontEndAnswer =
  | { kind: 'relay'; holdMs?: number }
  | { kind: 'error'; code: string; message: string; errno?: number }
  | { kind: 'hang-up' };

export interface FakeFrontEnd {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Logins answered with an error so far. */
  readonly refused: number;
  /** Destroys every relayed connection, as a server crash does to sessions in flight. */
  dropAll(): void;
  close(): Promise<void>;
}

type Engine = 'postgres' | 'mysql';

/** A server that is starting up (or shutting down): what a restart or a failover answers a login. */
export const STARTING: Record<'postgres' | 'mysql', FrontEndAnswer> = {
  postgres: { kind: 'error', code: '57P03', message: 'the database system is starting up' },
  mysql: { kind: 'error', errno: 1053, code: '08S01', message: 'Server shutdown in progress' },
};

/**
 * RDS Proxy throttling a login, in the texts of its troubleshooting guide. Its PostgreSQL SQLSTATE is undocumented,
 * so an authentication one, the hardest case: it must still not be taken for a refused token.
 */
export const THROTTLED: Record<'postgres' | 'mysql', FrontEndAnswer> = {
  postgres: {
    kind: 'error',
    code: '28000',
    message: 'The IAM authentication failed because of too many competing requests.',
  },
  mysql: { kind: 'error', errno: 1040, code: 'HY000', message: 'IAM authentication rate limit exceeded' },
};

/**
 * A loopback front end for a test bed server, like RDS Proxy's: it terminates TLS with the test bed's own certificate
 * (it names the RDS-style endpoint), reads the login, answers per `answer(n)` (n counts connections from 0), and
 * relays the rest over a new TLS connection to the real server. `port`: listen there (default: any free port).
 */
export async function startFakeFrontEnd(
  tb: Testbed,
  engine: Engine,
  answer: (n: number) => FrontEndAnswer,
  port = 0,
): Promise<FakeFrontEnd> {
  const dir = dirname(tb.ca);
  const [cert, key] = await Promise.all([readFile(join(dir, 'server.pem')), readFile(join(dir, 'server.key'))]);
  const tls = { cert, key, ca: tb.caPem };
  const relayed = new Set<Socket>();
  let accepted = 0;
  let refused = 0;
  const server: Server = createServer((socket) => {
    const n = accepted++;
    const a = answer(n);
    if (a.kind === 'error') refused++;
    const serve = engine === 'postgres' ? servePostgres : serveMysql;
    serve(tb, tls, socket, a, relayed).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as { port: number };
  return {
    port: bound,
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    dropAll() {
      for (const s of relayed) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of relayed) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A free loopback port, closed again: connects to it are refused until something listens there. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca: string;
}

/** Reads exact byte counts from a stream; `detach()` hands back what was read ahead. */
class Bytes {
  #buffered = Buffer.alloc(0);
  #waiting: (() => void) | undefined;
  readonly #onData = (chunk: Buffer) => {
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    this.#waiting?.();
  };

  constructor(readonly stream: Socket) {
    stream.on('data', this.#onData);
    stream.once('close', () => this.#waiting?.());
  }

  async take(n: number): Promise<Buffer> {
    while (this.#buffered.length < n) {
      if (this.stream.destroyed) throw new Error('closed');
      await new Promise<void>((resolve) => (this.#waiting = resolve));
    }
    const out = this.#buffered.subarray(0, n);
    this.#buffered = this.#buffered.subarray(n);
    return out;
  }

  detach(): Buffer {
    this.stream.off('data', this.#onData);
    this.stream.pause();
    return this.#buffered;
  }
}

/**
 * TLS as the server, over `socket`. A MySQL client sends its TLS hello right behind its SSL request, so bytes already
 * read (`early`) go in first: through a plain Duplex, since a TLSSocket over a socket reads its handle directly.
 */
function serverSide(socket: Socket, tls: TlsMaterial, early: Buffer): TLSSocket {
  const options = { isServer: true, cert: tls.cert, key: tls.key };
  if (early.length === 0) return new TLSSocket(socket, options);
  const carrier = new Duplex({
    read: () => void socket.resume(),
    write: (chunk, _encoding, done) => void socket.write(chunk, done),
    final: (done) => {
      socket.end();
      done();
    },
    destroy: (err, done) => {
      socket.destroy();
      done(err);
    },
  });
  carrier.push(early);
  socket.on('data', (chunk) => {
    if (!carrier.push(chunk)) socket.pause();
  });
  socket.once('end', () => carrier.push(null));
  socket.once('close', () => carrier.destroy());
  return new TLSSocket(carrier as unknown as Socket, options);
}

async function clientSide(socket: Socket, tls: TlsMaterial, servername: string): Promise<TLSSocket> {
  const secure = tlsConnect({ socket, ca: tls.ca, servername });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  return secure;
}

async function dial(port: number): Promise<Socket> {
  const socket = netConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Relays a and b both ways; `raw` are the TCP sockets under them, which dropAll() destroys. */
function pipeBoth(a: Socket, b: Socket, relayed: Set<Socket>, raw: Socket[]): void {
  const all = [a, b, ...raw];
  for (const s of raw) relayed.add(s);
  const end = () => {
    for (const s of all) {
      s.destroy();
      relayed.delete(s);
    }
  };
  for (const s of all) {
    s.on('error', end);
    s.on('close', end);
  }
  a.pipe(b);
  b.pipe(a);
  a.resume();
  b.resume();
}

async function start(socket: Socket, a: FrontEndAnswer): Promise<boolean> {
  socket.on('error', () => {});
  if (a.kind === 'hang-up') {
    socket.destroy();
    return false;
  }
  if (a.kind === 'relay' && a.holdMs) await sleep(a.holdMs);
  return !socket.destroyed;
}

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

async function servePostgres(
  tb: Testbed,
  tls: TlsMaterial,
  socket: Socket,
  a: FrontEndAnswer,
  relayed: Set<Socket>,
): Promise<void> {
  if (!(await start(socket, a))) return;
  const plain = new Bytes(socket);
  await plain.take(8); // SSLRequest
  const early = plain.detach();
  socket.write('S');
  const secure = serverSide(socket, tls, early);
  secure.on('error', () => socket.destroy());
  const reader = new Bytes(secure);
  const length = (await reader.take(4)).readInt32BE(0);
  const startup = Buffer.concat([Buffer.alloc(4, 0), await reader.take(length - 4)]);
  startup.writeInt32BE(length, 0);
  if (a.kind === 'error') {
    secure.end(pgError(a.code, a.message));
    return;
  }
  const backend = await dial(tb.postgres.port);
  const backendPlain = new Bytes(backend);
  backend.write(SSL_REQUEST);
  await backendPlain.take(1);
  backendPlain.detach();
  const backendSecure = await clientSide(backend, tls, tb.postgres.endpoint);
  backendSecure.write(Buffer.concat([startup, reader.detach()]));
  pipeBoth(secure, backendSecure, relayed, [socket, backend]);
}

/** A PostgreSQL ErrorResponse: severity FATAL, SQLSTATE, message. */
function pgError(code: string, message: string): Buffer {
  const fields = Buffer.concat(
    [
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', code],
      ['M', message],
    ].map(([tag, text]) => Buffer.from(`${tag}${text}\0`, 'utf8')),
  );
  const body = Buffer.concat([fields, Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

async function readMysqlPacket(reader: Bytes): Promise<Buffer> {
  const head = await reader.take(4);
  const length = head.readUIntLE(0, 3);
  return Buffer.concat([head, await reader.take(length)]);
}

async function serveMysql(
  tb: Testbed,
  tls: TlsMaterial,
  socket: Socket,
  a: FrontEndAnswer,
  relayed: Set<Socket>,
): Promise<void> {
  if (!(await start(socket, a))) return;
  // The server speaks first: relay its greeting and the client's request to switch to TLS, then both sides do TLS.
  const backend = await dial(tb.mysql.port);
  backend.on('error', () => socket.destroy());
  socket.once('close', () => backend.destroy());
  const backendPlain = new Bytes(backend);
  const clientPlain = new Bytes(socket);
  socket.write(await readMysqlPacket(backendPlain));
  backend.write(await readMysqlPacket(clientPlain));
  backendPlain.detach();
  const secure = serverSide(socket, tls, clientPlain.detach());
  secure.on('error', () => socket.destroy());
  const backendSecure = await clientSide(backend, tls, tb.mysql.endpoint);
  const reader = new Bytes(secure);
  const login = await readMysqlPacket(reader);
  if (a.kind === 'error') {
    backendSecure.destroy();
    secure.end(mysqlError((login[3] ?? 0) + 1, a.errno ?? 1105, a.code, a.message));
    return;
  }
  backendSecure.write(Buffer.concat([login, reader.detach()]));
  pipeBoth(secure, backendSecure, relayed, [socket, backend]);
}

/** A MySQL ERR packet: 0xFF, error number, '#', SQLSTATE, message. */
function mysqlError(sequence: number, errno: number, sqlState: string, message: string): Buffer {
  const payload = Buffer.concat([
    Buffer.from([0xff, errno & 0xff, errno >> 8]),
    Buffer.from(`#${sqlState}${message}`, 'utf8'),
  ]);
  const head = Buffer.alloc(4);
  head.writeUIntLE(payload.length, 0, 3);
  head[3] = sequence & 0xff;
  return Buffer.concat([head, payload]);
}
