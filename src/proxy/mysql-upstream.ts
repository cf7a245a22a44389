import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { tagError } from '../drivers/retry.js';
import type { IssuedToken, TokenProvider } from '../token/token-provider.js';
import { ByteReader } from './byte-reader.js';
import {
  AUTH_SWITCH,
  CLIENT,
  COM_QUERY,
  ERR,
  type Greeting,
  type HandshakeResponse,
  handshakeResponse,
  nul,
  OK,
  packet,
  parseAuthSwitch,
  parseGreeting,
  PER_SIDE,
  QUIT_PACKET,
  readPacket,
  responseHead,
  serverError,
} from './mysql-packets.js';
import { type UpstreamDial, withDeadline } from './upstream-dial.js';

/** A connection to the database that has sent its greeting and waits for the handshake response. */
export interface MysqlDialled {
  socket: Duplex;
  reader: ByteReader;
  greeting: Greeting;
}

/** A signed-in MySQL connection, stopped after the server's OK. */
export interface MysqlUpstream {
  socket: Duplex;
  /** The OK packet's payload, for the client (its sequence id is the client's). */
  ok: Buffer;
  /** Bytes received after the OK (none, normally). */
  leftover: Buffer;
  token: IssuedToken;
  /** The database's id for this connection (what `KILL` takes). */
  connectionId: number;
}

const CLEAR_PASSWORD = 'mysql_clear_password';

/** What the handshake response upstream always asks for, whatever the client asked: 4.1 auth with a plugin. */
const SIGN_IN = CLIENT.protocol41 | CLIENT.secureConnection | CLIENT.pluginAuth;

/** Opens a TCP connection to the database and reads its greeting (so the client can be greeted alike). */
export function dialMysql(target: UpstreamDial): Promise<MysqlDialled> {
  return withDeadline(target.timeoutMs, `Connecting to ${target.host}:${target.port}`, async (track) => {
    const socket = netConnect({ host: target.host, port: target.port });
    track(socket);
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve).once('error', reject);
    });
    const reader = new ByteReader(socket);
    const greeting = parseGreeting((await readPacket(reader)).payload);
    if (target.tls && !(greeting.capabilities & CLIENT.ssl)) {
      throw new Error(`the database at ${target.host}:${target.port} does not offer TLS`);
    }
    return { socket, reader, greeting };
  });
}

/** The handshake response a client with nothing to ask for would send (the readiness probe's). */
export function plainResponse(greeting: Greeting, user: string, database: string | undefined): HandshakeResponse {
  return {
    capabilities: (greeting.capabilities & (SIGN_IN | CLIENT.pluginAuthLenencData)) | CLIENT.connectWithDb,
    maxPacketSize: 1 << 24,
    characterSet: greeting.characterSet,
    filler: Buffer.alloc(23),
    user,
    authData: Buffer.alloc(0),
    database,
    authPlugin: undefined,
    attributes: undefined,
  };
}

/**
 * Signs in on a dialled connection as the client's handshake response asks (capabilities, database, character set,
 * attributes), with `mysql_clear_password` and a token from `provider`, over verified TLS unless TLS is off.
 */
export function signInMysql(
  target: UpstreamDial,
  dialled: MysqlDialled,
  client: HandshakeResponse,
  provider: TokenProvider,
): Promise<MysqlUpstream> {
  return withDeadline(target.timeoutMs, `Signing in to ${target.host}:${target.port}`, async (track) => {
    track(dialled.socket);
    const offered = dialled.greeting.capabilities;
    let capabilities = ((client.capabilities & offered & ~PER_SIDE) | SIGN_IN) >>> 0;
    // The token (~2 KB) does not fit the 1-byte length of plain 4.1 auth data.
    if (!(offered & CLIENT.pluginAuthLenencData)) {
      throw new Error('the database does not take auth data longer than 255 bytes, as an IAM token is');
    }
    capabilities |= CLIENT.pluginAuthLenencData;
    capabilities =
      client.database === undefined ? capabilities & ~CLIENT.connectWithDb : capabilities | CLIENT.connectWithDb;
    let socket = dialled.socket;
    let reader = dialled.reader;
    let sequenceId = 1;
    if (target.tls) {
      capabilities |= CLIENT.ssl;
      socket.write(packet(sequenceId++, responseHead({ ...client, capabilities })));
      reader.release();
      const secure = tlsConnect({ socket, ...target.tls });
      track(secure);
      await new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', resolve).once('error', reject);
      });
      socket = secure;
      reader = new ByteReader(secure);
    }
    const token = await provider.get();
    const password = nul(token.value.reveal());
    socket.write(
      packet(
        sequenceId,
        handshakeResponse({
          ...client,
          capabilities: capabilities >>> 0,
          authData: password,
          authPlugin: CLEAR_PASSWORD,
        }),
      ),
    );
    for (;;) {
      const reply = await readPacket(reader);
      const kind = reply.payload[0];
      if (kind === OK) {
        return {
          socket,
          ok: reply.payload,
          leftover: reader.release(),
          token,
          connectionId: dialled.greeting.connectionId,
        };
      }
      if (kind === ERR) {
        const err = serverError(reply.payload);
        tagError(err, token);
        throw err;
      }
      if (kind !== AUTH_SWITCH)
        throw new Error(`the database sent an unexpected packet (0x${kind?.toString(16)}) while signing in`);
      const { plugin } = parseAuthSwitch(reply.payload);
      if (plugin !== CLEAR_PASSWORD) {
        throw new Error(
          `the database asked for ${plugin}, not ${CLEAR_PASSWORD}: user "${client.user}" is not set up for IAM ` +
            'authentication there',
        );
      }
      socket.write(packet(reply.sequenceId + 1, password));
    }
  });
}

/** Runs one statement that returns no rows (a `KILL`) on a signed-in connection, then quits; throws the server's error. */
export async function runAndQuit(upstream: MysqlUpstream, sql: string): Promise<void> {
  const reader = new ByteReader(upstream.socket);
  // The sign-in paused the socket to hand it over.
  upstream.socket.resume();
  upstream.socket.write(packet(0, Buffer.concat([Buffer.from([COM_QUERY]), Buffer.from(sql, 'utf8')])));
  try {
    const reply = await readPacket(reader);
    if (reply.payload[0] === ERR) throw serverError(reply.payload);
  } finally {
    reader.release();
    upstream.socket.end(QUIT_PACKET);
  }
}
