import { Secret, fingerprint } from '../secret.js';
import { getOrCreate } from '../single-flight.js';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';

interface CachedToken {
  readonly value: Secret;
  readonly fingerprint: string;
  /** ms epoch when signing started. */
  readonly signedAt: number;
  /** ms epoch after which the token is never served: its cache lifetime, or its credentials' expiry if sooner. */
  readonly expiresAt: number;
}

export interface CacheLookup {
  readonly token: CachedToken;
  /** True when served from the cache; false when this call started or joined the signing. */
  readonly fromCache: boolean;
}

export interface Signing {
  readonly token: string;
  /** The token must not be served after this (ms epoch), e.g. when its credentials expire. */
  readonly notAfter: number | null;
}

/** Options of a `MemoryTokenCache`. */
export interface TokenCacheOptions {
  /** Most tokens kept; the least recently used goes first. Default 1000. */
  maxEntries?: number;
  clock?: Clock;
}

/** Where tokens are kept between connects: injectable (`TokenDeps.cache`), so any object of this shape will do. */
export interface TokenCache {
  /** The clock token ages are measured with. */
  readonly clock: Clock;
  /** The cached token for `key` if younger than `ttlMs`, else the result of one shared signing. */
  get(key: string, ttlMs: number, sign: () => Promise<Signing>): Promise<CacheLookup>;
  /**
   * Signs anew, unless a signing for `key` is already under way (then joins it), or, when `replacing` (a
   * fingerprint) is given, the cached token is already a different, live one: someone refreshed it meanwhile.
   */
  refresh(key: string, ttlMs: number, sign: () => Promise<Signing>, replacing?: string): Promise<CacheLookup>;
  /** Drops the entry (only if it still holds the token with `fingerprintOf`, when given); true if it did. */
  invalidate(key: string, fingerprintOf?: string): boolean;
}

/**
 * Tokens by key in memory, each served for `ttlMs` from when its signing started, the least recently used
 * dropped first. Concurrent misses for one key share a single signing; a failed signing is not cached and
 * rejects every caller waiting on it.
 */
export class MemoryTokenCache implements TokenCache {
  readonly clock: Clock;
  readonly maxEntries: number;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  readonly #entries = new Map<string, CachedToken>();
  readonly #flights = new Map<string, Promise<CachedToken>>();
  // Bumped by clear(), so a signing that was in flight then does not refill the cache.
  #generation = 0;

  constructor(options: TokenCacheOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxEntries = options.maxEntries ?? 1000;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string, ttlMs: number, sign: () => Promise<Signing>): Promise<CacheLookup> {
    const hit = this.#live(key, ttlMs);
    if (hit !== undefined) return { token: hit, fromCache: true };
    return { token: await this.#sign(key, ttlMs, sign), fromCache: false };
  }

  async refresh(key: string, ttlMs: number, sign: () => Promise<Signing>, replacing?: string): Promise<CacheLookup> {
    if (!this.#flights.has(key)) {
      const current = this.#live(key, ttlMs);
      if (current !== undefined && replacing !== undefined && current.fingerprint !== replacing) {
        return { token: current, fromCache: true };
      }
      this.#entries.delete(key);
    }
    return { token: await this.#sign(key, ttlMs, sign), fromCache: false };
  }

  invalidate(key: string, fingerprintOf?: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined || (fingerprintOf !== undefined && entry.fingerprint !== fingerprintOf)) return false;
    return this.#entries.delete(key);
  }

  /** Drops every token, and keeps signings under way from refilling the cache. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#flights.clear();
  }

  #live(key: string, ttlMs: number): CachedToken | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.clock.now();
    this.#entries.delete(key);
    if (now >= entry.expiresAt || now - entry.signedAt >= ttlMs) return undefined;
    this.#entries.set(key, entry);
    return entry;
  }

  #sign(key: string, ttlMs: number, sign: () => Promise<Signing>): Promise<CachedToken> {
    return getOrCreate(this.#flights, key, () => this.#signNow(key, ttlMs, sign), 'none');
  }

  async #signNow(key: string, ttlMs: number, sign: () => Promise<Signing>): Promise<CachedToken> {
    const generation = this.#generation;
    const signedAt = this.clock.now();
    const { token, notAfter } = await sign();
    const entry: CachedToken = {
      value: new Secret(token),
      fingerprint: fingerprint(token),
      signedAt,
      expiresAt: Math.min(signedAt + ttlMs, notAfter ?? Infinity),
    };
    if (generation === this.#generation) this.#store(key, entry);
    return entry;
  }

  #store(key: string, entry: CachedToken): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    // A token of rotated credentials is never asked for again (the identity is part of its key): dropped here once
    // dead, or the cache would keep one per rotation, for ever, up to maxEntries.
    const now = this.clock.now();
    for (const [k, e] of this.#entries) if (now >= e.expiresAt) this.#entries.delete(k);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(oldest);
    }
  }
}

let processCache: MemoryTokenCache | undefined;

/** The one token cache of this process, created on first use. */
export function processTokenCache(): MemoryTokenCache {
  processCache ??= new MemoryTokenCache();
  return processCache;
}
