import { createHash, timingSafeEqual } from 'node:crypto';

// mysql_native_password in the server role, for the proxy's local password: every MySQL and MariaDB client
// speaks it. The client sends SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))); the server keeps only
// SHA1(SHA1(password)), recovers SHA1(password) from the reply and checks its hash. SHA-1 is node:crypto's.

const sha1 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** What a server keeps of a password: SHA1(SHA1(password)), as MySQL stores it. */
export type NativePasswordHash = Buffer;

export function nativePasswordHash(password: string): NativePasswordHash {
  return sha1(sha1(Buffer.from(password, 'utf8')));
}

/** Whether `reply` is what a client that knows the password sends for `scramble`. */
export function nativePasswordMatches(hash: NativePasswordHash, scramble: Buffer, reply: Buffer): boolean {
  if (reply.length !== 20) return false;
  const mask = sha1(scramble, hash);
  const stage1 = Buffer.from(reply.map((byte, i) => byte ^ mask[i]!));
  return timingSafeEqual(sha1(stage1), hash);
}
