import type { ResolvedConfig } from '../config/resolve.js';
import { resolveTokenTarget } from '../endpoint/target.js';
import type { TokenTarget } from '../endpoint/target.js';
import { RdsIamError } from '../errors.js';
import { publish } from '../events.js';
import type { TokenEvent } from '../events.js';
import { fingerprint, scrub } from '../secret.js';
import type { Secret } from '../secret.js';
import { MemoryTokenCache, processTokenCache } from './cache.js';
import type { CacheLookup, Signing, TokenCache } from './cache.js';
import type { Clock } from './clock.js';
import { credentialSettingsOf, sharedCredentials } from './credentials.js';
import type { CredentialsProvider, CurrentCredentials, SharedCredentials } from './credentials.js';
import { TOKEN_LIFETIME_S } from '../config/keys.js';
import { SdkTokenSigner } from './signers.js';
import type { TokenSigner } from './signers.js';

export interface IssuedToken {
  /** `reveal()` only at the wire. */
  readonly value: Secret;
  readonly fingerprint: string;
  /** True when served from the cache rather than signed for this call (or a concurrent one). */
  readonly fromCache: boolean;
  /** ms epoch when signing started. */
  readonly signedAt: number;
}

export interface TokenSource {
  readonly target: TokenTarget;
  /** A cached token, or one signing shared by every concurrent caller. */
  get(): Promise<IssuedToken>;
  /**
   * A newly signed token, for a retry after the database refused one. Concurrent calls share one signing.
   * Given the refused token, returns a newer cached one instead if another caller already replaced it.
   */
  fresh(refused?: IssuedToken): Promise<IssuedToken>;
  /** Stops serving this token (only if it is still the cached one). */
  invalidate(token: IssuedToken): void;
}

export interface TokenDeps {
  /** Times credential expiry; when no `cache` is given, tokens go to a cache shared by every source with this clock. */
  clock?: Clock;
  /** Replaces the credential provider the config's `aws_*` settings would build. */
  credentials?: CredentialsProvider;
  /** Replaces the SDK signers. Credentials are still resolved: their identity is part of the cache key. */
  signer?: TokenSigner;
  /** Default: the process token cache. */
  cache?: TokenCache;
}

// One token cache per injected clock (the process cache for the system clock), so sources agree on time.
let cachesByClock: WeakMap<Clock, TokenCache> | undefined;
// One SDK signer per shared credentials, so its per-target SDK Signers are reused by every source.
let sdkSigners: WeakMap<SharedCredentials, SdkTokenSigner> | undefined;
// The cache key each issued token was stored under, for invalidate(token).
const keysOfIssued = new WeakMap<IssuedToken, string>();

/**
 * The token source for one connection's config. Cheap to call per connect: credentials and SDK signers are
 * memoised by their settings, and every source shares the process token cache.
 */
export function tokenSourceFor(config: ResolvedConfig, deps: TokenDeps = {}): TokenSource {
  const target = resolveTokenTarget(config);
  const cache = deps.cache ?? cacheFor(deps.clock);
  const credentials = sharedCredentials(credentialSettingsOf(config, target.region), {
    clock: deps.clock ?? cache.clock,
    ...(deps.credentials === undefined ? {} : { credentials: deps.credentials }),
  });
  const signer = deps.signer ?? sdkSignerFor(credentials);
  const lifetimeS = Math.min(config.iam_expiration, TOKEN_LIFETIME_S[target.plugin]);
  return new CachedTokenSource(target, credentials, signer, cache, lifetimeS);
}

function cacheFor(clock: Clock | undefined): TokenCache {
  if (clock === undefined) return processTokenCache();
  cachesByClock ??= new WeakMap();
  let cache = cachesByClock.get(clock);
  if (cache === undefined) cachesByClock.set(clock, (cache = new MemoryTokenCache({ clock })));
  return cache;
}

function sdkSignerFor(credentials: SharedCredentials): SdkTokenSigner {
  sdkSigners ??= new WeakMap();
  let signer = sdkSigners.get(credentials);
  if (signer === undefined) sdkSigners.set(credentials, (signer = new SdkTokenSigner(credentials.provider)));
  return signer;
}

class CachedTokenSource implements TokenSource {
  readonly target: TokenTarget;
  readonly #credentials: SharedCredentials;
  readonly #signer: TokenSigner;
  readonly #cache: TokenCache;
  readonly #lifetimeS: number;

  constructor(target: TokenTarget, credentials: SharedCredentials, signer: TokenSigner, cache: TokenCache, lifetimeS: number) {
    this.target = target;
    this.#credentials = credentials;
    this.#signer = signer;
    this.#cache = cache;
    this.#lifetimeS = lifetimeS;
  }

  async get(): Promise<IssuedToken> {
    // Credentials first: their identity is part of the key, so rotated or different credentials never share a token.
    const current = await this.#credentials.current();
    const key = this.#key(current);
    const lookup = await this.#cache.get(key, this.#lifetimeS * 1000, () => this.#sign(current));
    if (lookup.fromCache) {
      publish('rdsiam:token:cache-hit', () => ({
        ...this.#describe(),
        fingerprint: lookup.token.fingerprint,
        ageMs: this.#cache.clock.now() - lookup.token.signedAt,
      }));
    }
    return this.#issue(key, lookup);
  }

  async fresh(refused?: IssuedToken): Promise<IssuedToken> {
    const current = await this.#credentials.current();
    const key = this.#key(current);
    const lookup = await this.#cache.refresh(key, this.#lifetimeS * 1000, () => this.#sign(current), refused?.fingerprint);
    return this.#issue(key, lookup);
  }

  invalidate(token: IssuedToken): void {
    const key = keysOfIssued.get(token);
    if (key !== undefined) this.#cache.invalidate(key, token.fingerprint);
  }

  #key(current: CurrentCredentials): string {
    const t = this.target;
    return [t.plugin, t.region, t.host, t.port, t.user, current.identity].join('\u0000');
  }

  async #sign(current: CurrentCredentials): Promise<Signing> {
    const started = this.#cache.clock.now();
    try {
      const token = await this.#signer.sign(this.target, this.#lifetimeS);
      publish('rdsiam:token:signed', () => ({
        ...this.#describe(),
        fingerprint: fingerprint(token),
        durationMs: this.#cache.clock.now() - started,
        signedAt: started,
      }));
      return { token, notAfter: current.expiresAt };
    } catch (err) {
      const error =
        err instanceof RdsIamError
          ? err
          : new RdsIamError(
              `Signing an IAM token for ${this.target.user}@${this.target.host}:${this.target.port} failed: ` +
                `${scrub(err instanceof Error ? err.message : String(err))}`,
            );
      publish('rdsiam:token:sign-failed', () => ({
        ...this.#describe(),
        durationMs: this.#cache.clock.now() - started,
        error: error.message,
      }));
      throw error;
    }
  }

  #issue(key: string, { token, fromCache }: CacheLookup): IssuedToken {
    const issued: IssuedToken = Object.freeze({
      value: token.value,
      fingerprint: token.fingerprint,
      fromCache,
      signedAt: token.signedAt,
    });
    keysOfIssued.set(issued, key);
    return issued;
  }

  #describe(): Omit<TokenEvent, 'fingerprint'> {
    const { plugin, host, port, user, region } = this.target;
    return { plugin, host, port, user, region };
  }
}
