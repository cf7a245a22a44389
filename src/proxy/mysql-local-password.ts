import { createHash, timingSafeEqual } from 'node:crypto';

// The proxy's local password in the server role, under the two plugins MySQL clients answer a scramble with. Each
// keeps a double hash of the password, recovers the single hash from the client's reply and checks it:
// - mysql_native_password: the client sends SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password)));
// - caching_sha2_password: SHA256(password) XOR SHA256(SHA256(SHA256(password)) + scramble). This is its "fast"
//   path, where the server holds SHA256(SHA256(password)) in its cache; the proxy always does, so it never needs
//   the full path (the cleartext password over TLS, or RSA-encrypted).
// The hashes are node:crypto's.

export const NATIVE_PASSWORD = 'mysql_native_password';
export const CACHING_SHA2_PASSWORD = 'caching_sha2_password';

/** The plugins the proxy checks a local password with. */
export type LocalPasswordPlugin = typeof NATIVE_PASSWORD | typeof CACHING_SHA2_PASSWORD;

const ALGORITHM: Record<LocalPasswordPlugin, 'sha1' | 'sha256'> = {
  [NATIVE_PASSWORD]: 'sha1',
  [CACHING_SHA2_PASSWORD]: 'sha256',
};

const hash = (algorithm: 'sha1' | 'sha256', ...parts: Buffer[]): Buffer => {
  const h = createHash(algorithm);
  for (const part of parts) h.update(part);
  return h.digest();
};

/** What a server keeps of a password, per plugin: the hash of its hash, as MySQL stores (or caches) it. */
export type LocalPasswordHashes = Readonly<Record<LocalPasswordPlugin, Buffer>>;

export function localPasswordHashes(password: string): LocalPasswordHashes {
  const text = Buffer.from(password, 'utf8');
  const twice = (algorithm: 'sha1' | 'sha256') => hash(algorithm, hash(algorithm, text));
  return { [NATIVE_PASSWORD]: twice('sha1'), [CACHING_SHA2_PASSWORD]: twice('sha256') };
}

/** Whether `reply` is what a client that knows the password sends for `scramble` under `plugin`. */
export function localPasswordMatches(
  hashes: LocalPasswordHashes,
  plugin: LocalPasswordPlugin,
  scramble: Buffer,
  reply: Buffer,
): boolean {
  const algorithm = ALGORITHM[plugin];
  const stored = hashes[plugin];
  if (reply.length !== stored.length) return false;
  // The two plugins mix the scramble in on opposite sides of the stored hash.
  const mask = plugin === NATIVE_PASSWORD ? hash(algorithm, scramble, stored) : hash(algorithm, stored, scramble);
  const single = Buffer.from(reply.map((byte, i) => byte ^ mask[i]!));
  return timingSafeEqual(hash(algorithm, single), stored);
}
