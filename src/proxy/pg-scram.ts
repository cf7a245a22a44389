import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { ByteReader } from './byte-reader.js';
import { authentication, cstring, readMessage } from './pg-messages.js';

// SCRAM-SHA-256 (RFC 5802, RFC 7677) in the server role, for the proxy's local password: what PostgreSQL asks of
// clients by default since version 14, so every client that signs in to PostgreSQL can sign in here. The primitives
// (PBKDF2, HMAC, SHA-256) are node:crypto's; this is only the message exchange. No channel binding is offered.

const MECHANISM = 'SCRAM-SHA-256';
const ITERATIONS = 4096;

/** What a server keeps of a password: PostgreSQL's own verifier format, derived once per process. */
export interface ScramVerifier {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

export function scramVerifier(password: string): ScramVerifier {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, ITERATIONS, 32, 'sha256');
  return {
    salt,
    iterations: ITERATIONS,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

/** The attributes of a SCRAM message (`r=...,s=...`); the GS2 header is left to the caller. */
function attributes(text: string): Map<string, string> {
  return new Map(text.split(',').map((part) => [part.slice(0, 1), part.slice(2)] as const));
}

/**
 * Runs the exchange with a client that has just sent its startup message. True when the client proved it knows the
 * password; false when it did not, or broke the exchange.
 */
export async function scramExchange(reader: ByteReader, socket: Duplex, verifier: ScramVerifier): Promise<boolean> {
  socket.write(authentication(10, Buffer.concat([cstring(MECHANISM), Buffer.alloc(1)])));
  const initial = await readMessage(reader, 10_000);
  if (initial.type !== 'p') return false;
  const mechanismEnd = initial.body.indexOf(0);
  if (initial.body.subarray(0, mechanismEnd).toString() !== MECHANISM) return false;
  const clientFirst = initial.body.subarray(mechanismEnd + 5).toString('utf8');
  // GS2 header: "n,," (no channel binding) or "y,," (the client could but the server offered none).
  const gs2 = /^([ny]),[^,]*,/.exec(clientFirst);
  if (gs2 === null) return false;
  const clientFirstBare = clientFirst.slice(gs2[0].length);
  const clientNonce = attributes(clientFirstBare).get('r');
  if (!clientNonce) return false;

  const nonce = clientNonce + randomBytes(18).toString('base64');
  const serverFirst = `r=${nonce},s=${verifier.salt.toString('base64')},i=${verifier.iterations}`;
  socket.write(authentication(11, Buffer.from(serverFirst)));

  const response = await readMessage(reader, 10_000);
  if (response.type !== 'p') return false;
  const clientFinal = response.body.toString('utf8');
  const proofAt = clientFinal.lastIndexOf(',p=');
  if (proofAt === -1) return false;
  const withoutProof = clientFinal.slice(0, proofAt);
  const final = attributes(withoutProof);
  if (final.get('r') !== nonce || final.get('c') !== Buffer.from(gs2[0]).toString('base64')) return false;
  const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(verifier.storedKey, authMessage);
  if (proof.length !== signature.length) return false;
  const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]!));
  if (!timingSafeEqual(sha256(clientKey), verifier.storedKey)) return false;

  const serverSignature = hmac(verifier.serverKey, authMessage).toString('base64');
  socket.write(authentication(12, Buffer.from(`v=${serverSignature}`)));
  return true;
}
