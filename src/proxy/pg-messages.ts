import type { ByteReader } from './byte-reader.js';

// The PostgreSQL wire protocol as the proxy speaks it in the server role: the startup packets a client may send
// first, and the few backend messages the proxy writes itself. What it sends upstream as a client is pg-protocol's.

/** Request codes of the packets that may open a connection (they carry no message type byte). */
export const STARTUP_CODE = {
  protocol3: 196608,
  ssl: 80877103,
  gssenc: 80877104,
  cancel: 80877102,
} as const;

/** The largest startup packet PostgreSQL itself accepts. */
const MAX_STARTUP_LENGTH = 10_000;

export interface StartupPacket {
  code: number;
  body: Buffer;
}

export async function readStartup(reader: ByteReader): Promise<StartupPacket> {
  const length = (await reader.read(4)).readInt32BE(0);
  if (length < 8 || length > MAX_STARTUP_LENGTH) throw new Error(`invalid startup packet length ${length}`);
  const rest = await reader.read(length - 4);
  return { code: rest.readInt32BE(0), body: rest.subarray(4) };
}

/** The name/value pairs of a StartupMessage body. */
export function startupParameters(body: Buffer): Map<string, string> {
  const params = new Map<string, string>();
  const parts = body.toString('utf8').split('\0');
  for (let i = 0; i + 1 < parts.length && parts[i] !== ''; i += 2) params.set(parts[i]!, parts[i + 1]!);
  return params;
}

export interface Message {
  type: string;
  /** The whole message, type byte and length included. */
  bytes: Buffer;
  body: Buffer;
}

/** One regular message (a type byte, then a length that counts itself). */
export async function readMessage(reader: ByteReader, maxLength = 1 << 20): Promise<Message> {
  const head = await reader.read(5);
  const length = head.readInt32BE(1);
  if (length < 4 || length > maxLength) throw new Error(`invalid message length ${length}`);
  const body = await reader.read(length - 4);
  return { type: String.fromCharCode(head[0]!), bytes: Buffer.concat([head, body]), body };
}

export function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function int32s(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => void b.writeInt32BE(v, 4 * i));
  return b;
}

/** AuthenticationRequest: 0 ok, 10 SASL, 11 SASL continue, 12 SASL final. */
export function authentication(code: number, data: Buffer = Buffer.alloc(0)): Buffer {
  return message('R', Buffer.concat([int32s(code), data]));
}

export function backendKeyData(processId: number, secretKey: number): Buffer {
  return message('K', int32s(processId, secretKey));
}

/** What the server supports when the client asked for a newer minor version or for `_pq_.` options. */
export function negotiateProtocolVersion(minor: number, unsupported: readonly string[]): Buffer {
  return message('v', Buffer.concat([int32s(minor, unsupported.length), ...unsupported.map((o) => cstring(o))]));
}

export function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

export interface ErrorFields {
  severity: 'FATAL' | 'ERROR';
  code: string;
  message: string;
  hint?: string;
}

export function errorResponse({ severity, code, message: text, hint }: ErrorFields): Buffer {
  const fields: [string, string][] = [
    ['S', severity],
    ['V', severity],
    ['C', code],
    ['M', text],
  ];
  if (hint !== undefined) fields.push(['H', hint]);
  return message('E', Buffer.concat([...fields.map(([k, v]) => cstring(`${k}${v}`)), Buffer.alloc(1)]));
}
