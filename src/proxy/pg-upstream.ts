import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { serialize } from 'pg-protocol';
import type { BackendMessage, DatabaseError } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import { tagError } from '../drivers/retry.js';
import type { IssuedToken, TokenProvider } from '../token/token-provider.js';
import { ByteReader } from './byte-reader.js';
import { readMessage } from './pg-messages.js';
import { type UpstreamDial, withDeadline } from './upstream-dial.js';

/** A signed-in PostgreSQL backend, stopped at its first ReadyForQuery. */
export interface PgUpstream {
  socket: Duplex;
  /** ParameterStatus, NoticeResponse and NegotiateProtocolVersion messages for the client, as received. */
  greeting: Buffer[];
  processId: number;
  secretKey: number;
  readyForQuery: Buffer;
  /** Bytes received after ReadyForQuery (none, unless the server sent a notice at once). */
  leftover: Buffer;
  token: IssuedToken;
}

/** Opens a socket to the endpoint and, unless TLS is off, negotiates verified TLS on it as libpq does. */
async function dial(target: UpstreamDial): Promise<Duplex> {
  const socket = netConnect({ host: target.host, port: target.port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve).once('error', reject);
  });
  if (target.tls === undefined) return socket;
  socket.write(serialize.requestSsl());
  const reader = new ByteReader(socket);
  const answer = (await reader.read(1)).toString('latin1');
  reader.release();
  if (answer !== 'S') {
    socket.destroy();
    throw new Error(`the database at ${target.host}:${target.port} does not offer TLS (answered "${answer}")`);
  }
  const secure = tlsConnect({ socket, ...target.tls });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve).once('error', reject);
  });
  return secure;
}

/** A server ErrorResponse as an Error whose `code` is the SQLSTATE, as pg reports it (what isLoginError reads). */
function serverError(e: DatabaseError): Error {
  return Object.assign(new Error(e.message), { code: e.code, severity: e.severity });
}

/**
 * Signs in to the database with the startup parameters given (the configured user among them) and a token from
 * `provider`, and stops at the first ReadyForQuery, so the client's session can go on from there.
 */
export function openPgUpstream(
  target: UpstreamDial,
  parameters: Record<string, string>,
  provider: TokenProvider,
): Promise<PgUpstream> {
  return withDeadline(target.timeoutMs, `Signing in to ${target.host}:${target.port}`, async (track) => {
    const socket = await dial(target);
    track(socket);
    const reader = new ByteReader(socket);
    const parser = new Parser();
    const greeting: Buffer[] = [];
    let token: IssuedToken | undefined;
    let key: { processId: number; secretKey: number } | undefined;
    socket.write(serialize.startup(parameters));
    for (;;) {
      const { type, bytes } = await readMessage(reader);
      if (!'RKEZ'.includes(type)) {
        // ParameterStatus, NoticeResponse, NegotiateProtocolVersion: the client's to see, as they are.
        greeting.push(bytes);
        continue;
      }
      let parsed: BackendMessage | undefined;
      parser.parse(bytes, (m) => void (parsed = m));
      switch (parsed?.name) {
        case 'authenticationCleartextPassword':
          token = await provider.get();
          socket.write(serialize.password(token.value.reveal()));
          break;
        case 'authenticationOk':
          break;
        case 'authenticationMD5Password':
        case 'authenticationSASL':
          throw new Error(
            `the database asked for a ${parsed.name === 'authenticationSASL' ? 'SCRAM' : 'MD5'} password, not an IAM ` +
              `token: user "${parameters.user}" is not set up for IAM authentication there`,
          );
        case 'backendKeyData': {
          const data = parsed as unknown as { processID: number; secretKey: number };
          key = { processId: data.processID, secretKey: data.secretKey };
          break;
        }
        case 'error': {
          const err = serverError(parsed as DatabaseError);
          tagError(err, token);
          throw err;
        }
        case 'readyForQuery': {
          if (token === undefined || key === undefined) {
            throw new Error('the database let the proxy in without asking for the IAM token, or without a cancel key');
          }
          return { socket, greeting, ...key, readyForQuery: bytes, leftover: reader.release(), token };
        }
        default:
          throw new Error(`the database sent an unexpected ${parsed?.name ?? type} message while signing in`);
      }
    }
  });
}

/** Asks the database to cancel what backend `processId` runs, over TLS as every other connection. */
export async function cancelUpstream(target: UpstreamDial, processId: number, secretKey: number): Promise<void> {
  await withDeadline(target.timeoutMs, 'A cancel request', async (track) => {
    const socket = await dial(target);
    track(socket);
    // The server closes the connection once it has read the request.
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.on('error', () => {});
      socket.on('data', () => {});
      socket.end(serialize.cancel(processId, secretKey));
    });
  });
}
