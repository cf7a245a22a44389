import type { ByteReader } from './byte-reader.js';

// The MySQL/MariaDB client/server protocol as far as the proxy speaks it itself: packet framing, the two handshake
// packets, OK/ERR and AuthSwitchRequest. After the handshake, packets pass through unread.

/** Capability flags the proxy reads or changes (the low 32 bits; MariaDB's extended ones pass through as they are). */
export const CLIENT = {
  /** Unset in MariaDB's greeting: then the last 4 reserved bytes carry MariaDB's extended capabilities. */
  mysql: 1,
  connectWithDb: 8,
  compress: 32,
  protocol41: 512,
  ssl: 2048,
  secureConnection: 32768,
  pluginAuth: 1 << 19,
  connectAttrs: 1 << 20,
  pluginAuthLenencData: 1 << 21,
  zstdCompression: 1 << 26,
} as const;

/** Never passed between the two sides: compression (the proxy would have to compress) and TLS (each side's own). */
export const PER_SIDE = CLIENT.compress | CLIENT.zstdCompression | CLIENT.ssl;

/** The commands the proxy answers itself rather than passing on (COM_CHANGE_USER), follows, or sends (a KILL). */
export const COM_CHANGE_USER = 0x11;
const COM_QUIT = 0x01;
export const COM_QUERY = 0x03;
/** A whole COM_QUIT packet, as a client ends its session with it. */
export const QUIT_PACKET = Buffer.from([1, 0, 0, 0, COM_QUIT]);

/** The largest handshake packet the proxy reads (a token is ~2 KB; connect attributes are at most 64 KB). */
const MAX_HANDSHAKE_PACKET = 1 << 20;

export interface Packet {
  sequenceId: number;
  payload: Buffer;
}

export async function readPacket(reader: ByteReader): Promise<Packet> {
  const head = await reader.read(4);
  const length = head.readUIntLE(0, 3);
  if (length > MAX_HANDSHAKE_PACKET) throw new Error(`a ${length}-byte handshake packet is too large`);
  return { sequenceId: head[3]!, payload: await reader.read(length) };
}

export function packet(sequenceId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUIntLE(payload.length, 0, 3);
  head[3] = sequenceId & 0xff;
  return Buffer.concat([head, payload]);
}

/** Reads a payload front to back: fixed-length and length-encoded integers, NUL-terminated and sized strings. */
export class PayloadReader {
  readonly #bytes: Buffer;
  #at = 0;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  get done(): boolean {
    return this.#at >= this.#bytes.length;
  }

  bytes(n: number): Buffer {
    if (this.#at + n > this.#bytes.length) throw new Error('a handshake packet ended early');
    const out = this.#bytes.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  int(n: 1 | 2 | 3 | 4): number {
    return this.bytes(n).readUIntLE(0, n);
  }

  lenencInt(): number {
    const first = this.int(1);
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.int(2);
    if (first === 0xfd) return this.int(3);
    if (first === 0xfe) return Number(this.bytes(8).readBigUInt64LE(0));
    throw new Error('invalid length-encoded integer in a handshake packet');
  }

  lenencBytes(): Buffer {
    return this.bytes(this.lenencInt());
  }

  /** Up to the next NUL (consumed), or to the end when there is none. */
  nulBytes(): Buffer {
    const end = this.#bytes.indexOf(0, this.#at);
    const out = this.#bytes.subarray(this.#at, end < 0 ? this.#bytes.length : end);
    this.#at = end < 0 ? this.#bytes.length : end + 1;
    return out;
  }

  nulString(): string {
    return this.nulBytes().toString('utf8');
  }

  rest(): Buffer {
    return this.bytes(this.#bytes.length - this.#at);
  }
}

export function lenencInt(n: number): Buffer {
  if (n < 0xfb) return Buffer.from([n]);
  if (n < 0x10000) return Buffer.from([0xfc, n & 0xff, n >> 8]);
  const b = Buffer.alloc(4);
  b[0] = 0xfd;
  b.writeUIntLE(n, 1, 3);
  return b;
}

export function nul(text: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(text), Buffer.alloc(1)]);
}

/** Protocol::HandshakeV10, the server's greeting. */
export interface Greeting {
  serverVersion: string;
  connectionId: number;
  /** The auth plugin data (20 bytes from current servers). */
  scramble: Buffer;
  capabilities: number;
  characterSet: number;
  statusFlags: number;
  /** The 10 reserved bytes: MariaDB puts its extended capabilities in the last 4. */
  reserved: Buffer;
  authPlugin: string;
}

export function parseGreeting(payload: Buffer): Greeting {
  const r = new PayloadReader(payload);
  const protocol = r.int(1);
  if (protocol === 0xff) throw serverError(payload);
  if (protocol !== 10) throw new Error(`the server speaks MySQL protocol ${protocol}, not 10`);
  const serverVersion = r.nulString();
  const connectionId = r.int(4);
  const part1 = r.bytes(8);
  r.int(1);
  const low = r.int(2);
  const characterSet = r.int(1);
  const statusFlags = r.int(2);
  const capabilities = (low | (r.int(2) << 16)) >>> 0;
  const dataLength = r.int(1);
  const reserved = Buffer.from(r.bytes(10));
  const part2 = r.bytes(Math.max(13, dataLength - 8));
  // Part 2 ends with a NUL that is not part of the scramble.
  const scramble = Buffer.concat([part1, part2.subarray(0, Math.max(12, dataLength - 9))]);
  const authPlugin = capabilities & CLIENT.pluginAuth ? r.nulString() : 'mysql_native_password';
  return { serverVersion, connectionId, scramble, capabilities, characterSet, statusFlags, reserved, authPlugin };
}

export function greetingPacket(g: Greeting): Buffer {
  const body = Buffer.concat([
    Buffer.from([10]),
    nul(g.serverVersion),
    int(4, g.connectionId),
    g.scramble.subarray(0, 8),
    Buffer.alloc(1),
    int(2, g.capabilities & 0xffff),
    int(1, g.characterSet),
    int(2, g.statusFlags),
    int(2, g.capabilities >>> 16),
    int(1, g.scramble.length + 1),
    g.reserved,
    nul(g.scramble.subarray(8)),
    nul(g.authPlugin),
  ]);
  return packet(0, body);
}

/** Protocol::HandshakeResponse41 (or, when it is only its first 32 bytes with CLIENT_SSL, an SSLRequest). */
export interface HandshakeResponse {
  capabilities: number;
  maxPacketSize: number;
  characterSet: number;
  /** 23 bytes: MariaDB clients put their extended capabilities in the last 4. */
  filler: Buffer;
  user: string;
  authData: Buffer;
  database: string | undefined;
  authPlugin: string | undefined;
  /** The connection attributes, as their length-encoded block. */
  attributes: Buffer | undefined;
}

const SSL_REQUEST_LENGTH = 32;

export function isSslRequest(payload: Buffer): boolean {
  return payload.length === SSL_REQUEST_LENGTH && (payload.readUInt32LE(0) & CLIENT.ssl) !== 0;
}

export function parseHandshakeResponse(payload: Buffer): HandshakeResponse {
  const r = new PayloadReader(payload);
  const capabilities = r.int(4) >>> 0;
  if (!(capabilities & CLIENT.protocol41)) throw new Error('the client does not speak protocol 4.1');
  const maxPacketSize = r.int(4);
  const characterSet = r.int(1);
  const filler = Buffer.from(r.bytes(23));
  const user = r.nulString();
  const authData =
    capabilities & CLIENT.pluginAuthLenencData
      ? r.lenencBytes()
      : capabilities & CLIENT.secureConnection
        ? r.bytes(r.int(1))
        : r.nulBytes();
  const database = capabilities & CLIENT.connectWithDb && !r.done ? r.nulString() : undefined;
  const authPlugin = capabilities & CLIENT.pluginAuth && !r.done ? r.nulString() : undefined;
  let attributes: Buffer | undefined;
  if (capabilities & CLIENT.connectAttrs && !r.done) {
    const block = r.lenencBytes();
    attributes = Buffer.concat([lenencInt(block.length), block]);
  }
  return {
    capabilities,
    maxPacketSize,
    characterSet,
    filler,
    user,
    authData: Buffer.from(authData),
    database: database || undefined,
    authPlugin,
    attributes,
  };
}

/** The first 32 bytes of a handshake response: with CLIENT_SSL set, alone, they are the SSLRequest. */
export function responseHead(r: HandshakeResponse): Buffer {
  return Buffer.concat([int(4, r.capabilities), int(4, r.maxPacketSize), int(1, r.characterSet), r.filler]);
}

/** A handshake response; its auth data is length-encoded when CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA is set. */
export function handshakeResponse(r: HandshakeResponse): Buffer {
  const auth =
    r.capabilities & CLIENT.pluginAuthLenencData
      ? Buffer.concat([lenencInt(r.authData.length), r.authData])
      : Buffer.concat([int(1, r.authData.length), r.authData]);
  return Buffer.concat([
    responseHead(r),
    nul(r.user),
    auth,
    r.capabilities & CLIENT.connectWithDb ? nul(r.database ?? '') : Buffer.alloc(0),
    r.capabilities & CLIENT.pluginAuth ? nul(r.authPlugin ?? '') : Buffer.alloc(0),
    r.capabilities & CLIENT.connectAttrs ? (r.attributes ?? lenencInt(0)) : Buffer.alloc(0),
  ]);
}

/** Protocol::AuthSwitchRequest: 0xfe, the plugin's name, its data. */
export function authSwitchRequest(plugin: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xfe]), nul(plugin), data]);
}

export function parseAuthSwitch(payload: Buffer): { plugin: string; data: Buffer } {
  const r = new PayloadReader(payload.subarray(1));
  return { plugin: r.nulString(), data: r.rest() };
}

export const OK = 0x00;
export const ERR = 0xff;
export const AUTH_SWITCH = 0xfe;

/** An ERR packet's payload: the error number, `#` and the SQLSTATE, the message. */
export function errPayload(errno: number, sqlState: string, message: string): Buffer {
  return Buffer.concat([Buffer.from([ERR]), int(2, errno), Buffer.from(`#${sqlState}${message}`, 'utf8')]);
}

// mysql2's names for the errors the token retry (a refusal) and the connect retry (a shutdown) read.
const ERROR_NAMES: Readonly<Record<number, string>> = { 1045: 'ER_ACCESS_DENIED_ERROR', 1053: 'ER_SERVER_SHUTDOWN' };

/** The error an ERR payload carries, as mysql2 reports one (`errno`, `sqlState`, and `code` for those above). */
export function serverError(payload: Buffer): Error & { errno: number; sqlState: string | undefined } {
  const errno = payload.readUInt16LE(1);
  const marked = payload[3] === 0x23;
  const sqlState = marked ? payload.toString('latin1', 4, 9) : undefined;
  const message = payload.toString('utf8', marked ? 9 : 3);
  return Object.assign(new Error(message), {
    errno,
    sqlState,
    ...(ERROR_NAMES[errno] === undefined ? {} : { code: ERROR_NAMES[errno] }),
  });
}

function int(n: 1 | 2 | 4, value: number): Buffer {
  const b = Buffer.alloc(n);
  b.writeUIntLE(value >>> 0, 0, n);
  return b;
}
