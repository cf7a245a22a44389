import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { ByteReader } from './byte-reader.js';
import { startTls } from './client-tls.js';
import { changeUserGuard } from './mysql-command-guard.js';
import type { Serve, Session } from './listener.js';
import {
  CACHING_SHA2_PASSWORD,
  type LocalPasswordHashes,
  type LocalPasswordPlugin,
  localPasswordMatches,
  NATIVE_PASSWORD,
} from './mysql-local-password.js';
import {
  authSwitchRequest,
  CLIENT,
  COM_CHANGE_USER,
  errPayload,
  greetingPacket,
  type HandshakeResponse,
  isSslRequest,
  nul,
  packet,
  parseHandshakeResponse,
  PER_SIDE,
  QUIT_PACKET,
  readPacket,
} from './mysql-packets.js';
import type { MysqlDialled, MysqlUpstream } from './mysql-upstream.js';
import { relay, type RelayStats } from './relay.js';
import type { UpstreamDial } from './upstream-dial.js';
import { lostUpstream, onUpstreamGone, upstreamFailure } from './upstream-failure.js';

/** What every MySQL session of one listener shares. */
export interface MysqlService {
  dial: UpstreamDial;
  /** The user the token is for: the only one clients may name. */
  user: string;
  /** The DSN's database, for clients that name none. */
  database: string | undefined;
  /** Connects to the database and reads its greeting. */
  connect(): Promise<MysqlDialled>;
  /** Signs in on `dialled` as the client asked (a refused cached token is replaced and tried once more). */
  open(client: HandshakeResponse, dialled: MysqlDialled): Promise<MysqlUpstream>;
  /** Ends the database's connection `connectionId` (and what it runs) from a connection of its own. */
  kill(connectionId: number): Promise<void>;
  password: LocalPasswordHashes | undefined;
  /** TLS toward clients; when set, clients must use it. */
  tls: SecureContext | undefined;
  idleTimeoutMs: number | undefined;
}

const ER_NOT_SUPPORTED_YET = 1235;
/** "Lost connection to server during query": the client library's own number for it. */
const CR_SERVER_LOST = 2013;
/** caching_sha2_password's AuthMoreData "fast_auth_success": the scramble matched; the OK follows. */
const FAST_AUTH_SUCCESS = Buffer.from([0x01, 0x03]);

export function mysqlServe(service: MysqlService): Serve {
  return (socket, session) => serveMysql(socket, session, service);
}

/** 20 bytes of scramble, printable as servers make it: some clients read its second part as a C string. */
function scramble(): Buffer {
  return Buffer.from(randomBytes(20).map((b) => 33 + (b % 94)));
}

async function serveMysql(socket: Socket, session: Session, service: MysqlService): Promise<RelayStats | undefined> {
  let client: Socket = socket;
  let reader = new ByteReader(socket);
  let sequenceId = 0;
  const refuse = (errno: number, sqlState: string, message: string): undefined => {
    session.refused(String(errno), message);
    client.end(packet(sequenceId, errPayload(errno, sqlState, message)));
    return undefined;
  };
  if (!session.admit()) return refuse(1040, '08004', 'Too many connections (rdsiam proxy --max-connections)');

  // The database's greeting comes first, so the client is offered what the database offers.
  let dialled: MysqlDialled;
  try {
    dialled = await service.connect();
  } catch (err) {
    return refuseUpstream(err);
  }
  let signedIn = false;
  try {
    const salt = scramble();
    // TLS toward the client only with --tls-*.
    const offered = ((dialled.greeting.capabilities & ~PER_SIDE) | (service.tls ? CLIENT.ssl : 0)) >>> 0;
    client.write(
      // caching_sha2_password first: MySQL 8's default, and the one MySQL 9's clients still have.
      greetingPacket({ ...dialled.greeting, capabilities: offered, scramble: salt, authPlugin: CACHING_SHA2_PASSWORD }),
    );
    let reply = await readPacket(reader);
    sequenceId = reply.sequenceId + 1;
    if (isSslRequest(reply.payload)) {
      if (!service.tls) return refuse(1043, '08S01', 'Bad handshake: this rdsiam proxy does not offer TLS');
      // The client sends its TLS hello at once, with no answer to wait for: what came after the request is its start.
      client = await startTls(client, service.tls, reader.release());
      reader = new ByteReader(client);
      reply = await readPacket(reader);
    } else if (service.tls) {
      return refuse(1045, '28000', 'this rdsiam proxy takes TLS connections only (use --ssl-mode=REQUIRED)');
    }
    sequenceId = reply.sequenceId + 1;
    let response: HandshakeResponse;
    try {
      response = parseHandshakeResponse(reply.payload);
    } catch (err) {
      return refuse(1043, '08S01', `Bad handshake: ${(err as Error).message}`);
    }
    if (response.user !== service.user) {
      return refuse(
        1045,
        '28000',
        `Access denied for user '${response.user}': rdsiam proxy signs in as '${service.user}' only (its IAM ` +
          `token is for that user); connect with user ${service.user}`,
      );
    }
    // A client that answered with the greeting's caching_sha2_password, or without plugin auth (4.1 auth, as
    // mysql_native_password), is checked as it answered. Any other is switched to mysql_native_password, which every
    // client has: one that named it did not necessarily compute it on this scramble (MariaDB's clients send nothing).
    let plugin: LocalPasswordPlugin = NATIVE_PASSWORD;
    let authData = response.authData;
    if (response.authPlugin === CACHING_SHA2_PASSWORD) plugin = CACHING_SHA2_PASSWORD;
    else if (response.authPlugin !== undefined) {
      client.write(packet(sequenceId, authSwitchRequest(NATIVE_PASSWORD, nul(salt))));
      const switched = await readPacket(reader);
      sequenceId = switched.sequenceId + 1;
      authData = switched.payload;
    }
    if (service.password && !localPasswordMatches(service.password, plugin, salt, authData)) {
      return refuse(
        1045,
        '28000',
        `Access denied for user '${response.user}' (using password: ${authData.length > 0 ? 'YES' : 'NO'})`,
      );
    }

    const started = Date.now();
    let upstream: MysqlUpstream;
    try {
      upstream = await service.open({ ...response, database: response.database ?? service.database }, dialled);
    } catch (err) {
      return refuseUpstream(err);
    }
    signedIn = true;
    session.upstreamOpened(Date.now() - started, upstream.token.fingerprint);
    // caching_sha2_password's client waits for its fast path's verdict before the OK, unless it sent no password.
    if (plugin === CACHING_SHA2_PASSWORD && authData.length > 0) client.write(packet(sequenceId++, FAST_AUTH_SUCCESS));
    client.write(packet(sequenceId, upstream.ok));
    // Whether the client waits for an answer: then a client that goes away has its connection killed, as MySQL
    // notices a closed client only when it next writes to it (after a SLEEP(3600), say).
    let busy = false;
    // The sequence id the answer takes, when the client's last chunk was one whole packet (a command): should the
    // database then go without answering, the client gets an error packet as that answer, before the close.
    let answerId: number | undefined;
    const upstreamSocket = upstream.socket;
    onUpstreamGone(upstreamSocket, () => {
      if (!busy || answerId === undefined || client.destroyed || client.writableEnded) return;
      client.write(packet(answerId, errPayload(CR_SERVER_LOST, 'HY000', lostUpstream(service.dial))));
    });
    return await relay(client, upstreamSocket, {
      clientLeftover: reader.release(),
      upstreamLeftover: upstream.leftover,
      idleTimeoutMs: service.idleTimeoutMs,
      observe: {
        fromClient: (chunk) => {
          const whole = chunk.length >= 5 && chunk.readUIntLE(0, 3) + 4 === chunk.length;
          // COM_QUIT has no answer; a COM_CHANGE_USER the proxy answers itself (changeUserGuard, below).
          busy = !chunk.subarray(-5).equals(QUIT_PACKET) && !(whole && chunk[3] === 0 && chunk[4] === COM_CHANGE_USER);
          answerId = whole ? (chunk[3]! + 1) & 0xff : undefined;
        },
        toClient: () => {
          busy = false;
        },
      },
      onClientGone: () => {
        if (busy) void service.kill(upstream.connectionId).catch(() => {});
      },
      fromClient: changeUserGuard(() => {
        const message =
          `rdsiam proxy does not serve COM_CHANGE_USER: its IAM token is for user '${service.user}' only. ` +
          'Open a new connection instead';
        session.refused(String(ER_NOT_SUPPORTED_YET), message);
        // The command's answer: the client waits for it, so nothing else is on its way to the client now.
        client.write(packet(1, errPayload(ER_NOT_SUPPORTED_YET, '42000', message)));
      }),
    });
  } finally {
    if (!signedIn) dialled.socket.destroy();
  }

  function refuseUpstream(err: unknown): undefined {
    const failure = upstreamFailure(err, service.dial);
    if (typeof failure.serverCode === 'number' && !failure.refused) {
      const sqlState = (err as { sqlState?: string }).sqlState ?? 'HY000';
      return refuse(failure.serverCode, sqlState, failure.message);
    }
    // Clients keep 512 bytes of an error message: the hint goes right after its first line.
    const [first = '', ...rest] = failure.message.split('\n');
    const message = [first.replace(/( Usual causes:)?$/, ` ${failure.hint}$1`), ...rest]
      .filter((line) => line !== failure.hint)
      .join('\n');
    return failure.refused ? refuse(1045, '28000', message) : refuse(2003, 'HY000', message);
  }
}
