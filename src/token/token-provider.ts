import { traced } from '../tracing.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { GlobalWriterRegions, WriterRegion } from '../endpoint/global-writer.js';
import { inRegion, planTokenTarget } from '../endpoint/target.js';
import type { TargetBase, TargetPlan, TokenTarget } from '../endpoint/target.js';
import { RdsIamError } from '../errors.js';
import { publish, targetFields } from '../events.js';
import { fingerprint, scrub } from '../secret.js';
import type { Secret } from '../secret.js';
import type { CacheLookup, Signing, TokenCache } from './cache.js';
import type { Clock } from '../clock.js';
import { credentialSettingsOf } from './credentials.js';
import type { CredentialsProvider } from '../aws-credentials.js';
import type { CurrentCredentials, SharedCredentials } from './credentials.js';
import { TOKEN_EXPIRY_MARGIN_S, tokenCacheLifetimeS } from '../aws-facts.js';
import { runtimeFor } from './runtime.js';
import type { TokenSigner } from './signers.js';

/** A token with what it was signed for; its value is a `Secret`. */
export interface IssuedToken {
  /** `reveal()` only at the wire. */
  readonly value: Secret;
  /** What it was signed for. */
  readonly target: TokenTarget;
  readonly fingerprint: string;
  /** True when served from the cache rather than signed for this call (or a concurrent one). */
  readonly fromCache: boolean;
  /** ms epoch when signing started. */
  readonly signedAt: number;
}

/** The token engine for one resolved config: what drivers call for a password (see `tokenProviderFor`). */
export interface TokenProvider {
  /**
   * What the next token is signed for. Known at once, except for an Aurora global database endpoint without
   * `iam_region`: then the writer's region is looked up (DescribeGlobalClusters, cached for `iam_global_ttl_s`).
   */
  target(): Promise<TokenTarget>;
  /** A cached token, or one signing shared by every concurrent caller. */
  get(): Promise<IssuedToken>;
  /**
   * A newly signed token, for a retry after the database refused one. Concurrent calls share one signing.
   * Given the refused token, returns a newer cached one instead if another caller already replaced it.
   */
  fresh(refused?: IssuedToken): Promise<IssuedToken>;
  /**
   * The database refused `token`: stops serving it (only if it is still the cached one) and, for a global database
   * endpoint, looks the writer's region up again (one lookup shared by every refused caller). True when a retry can
   * succeed where `token` failed: it came from the cache, or the writer has moved region since it was signed.
   */
  refused(token: IssuedToken): Promise<boolean>;
  /**
   * Starts loading what signing needs (the SDK), without fetching credentials or signing: a driver calls it once its
   * socket is connecting, so that a process's first token does not wait for the SDK after the server asks for it.
   */
  warm?(): void;
}

/** What a caller may inject in place of the defaults; every function that connects or signs accepts these. */
export interface TokenDeps {
  /** Times credential expiry; when no `cache` is given, tokens go to a cache shared by every provider with this clock. */
  clock?: Clock;
  /** Replaces the credential provider the config's `aws_*` settings would build. */
  credentials?: CredentialsProvider;
  /** Replaces the SDK signers. Credentials are still resolved: their identity is part of the cache key. */
  signer?: TokenSigner;
  /** Default: the process token cache. */
  cache?: TokenCache;
}

// A token dies with the temporary credentials that signed it, whatever its X-Amz-Expires (a DSQL one may say a
// week): it is not served in their last seconds either.
const CREDENTIALS_MARGIN_MS = TOKEN_EXPIRY_MARGIN_S * 1000;

/** Where an issued token came from: its cache key, and the writer region its target was in (global endpoints). */
interface Provenance {
  readonly key: string;
  readonly writer: WriterRegion | undefined;
}

/** An issued token, which remembers its provenance for `refused()` without showing it. */
class Issued implements IssuedToken {
  readonly value: Secret;
  readonly target: TokenTarget;
  readonly fingerprint: string;
  readonly fromCache: boolean;
  readonly signedAt: number;
  readonly #provenance: Provenance;

  constructor({ token, fromCache }: CacheLookup, target: TokenTarget, provenance: Provenance) {
    this.value = token.value;
    this.target = target;
    this.fingerprint = token.fingerprint;
    this.fromCache = fromCache;
    this.signedAt = token.signedAt;
    this.#provenance = provenance;
    Object.freeze(this);
  }

  static provenanceOf(token: IssuedToken): Provenance | undefined {
    return #provenance in token ? (token as Issued).#provenance : undefined;
  }
}

/**
 * The token provider for one connection's config. Cheap to call per connect: credentials and SDK signers are
 * memoised by their settings, and every provider shares the process token cache.
 */
export function tokenProviderFor(config: ResolvedConfig, deps: TokenDeps = {}): TokenProvider {
  const plan = planTokenTarget(config);
  const runtime = runtimeFor(deps.clock ?? deps.cache?.clock);
  // STS (for a role) is called in the token's region, or for a global endpoint in the home region: a failover must
  // not change the credentials.
  const stsRegion = plan.kind === 'fixed' ? plan.target.region : plan.lookup.homeRegion;
  const credentials = runtime.credentials(credentialSettingsOf(config, stsRegion), deps.credentials);
  const plugin = plan.kind === 'fixed' ? plan.target.plugin : plan.base.plugin;
  return new CachedTokenProvider({
    plan,
    credentials,
    signer: deps.signer ?? runtime.sdkSigner(credentials),
    cache: deps.cache ?? runtime.cache,
    lifetimeS: tokenCacheLifetimeS(config.iam_expiration, plugin),
    writers: runtime.writers,
  });
}

/** What one provider is made of. */
interface ProviderParts {
  readonly plan: TargetPlan;
  readonly credentials: SharedCredentials;
  readonly signer: TokenSigner;
  readonly cache: TokenCache;
  readonly lifetimeS: number;
  readonly writers: GlobalWriterRegions;
}

/** A target and, for a global endpoint, the writer region it is in. */
interface Resolved {
  readonly target: TokenTarget;
  readonly writer: WriterRegion | undefined;
}

class CachedTokenProvider implements TokenProvider {
  readonly #plan: TargetPlan;
  readonly #credentials: SharedCredentials;
  readonly #signer: TokenSigner;
  readonly #cache: TokenCache;
  readonly #lifetimeS: number;
  readonly #writers: GlobalWriterRegions;
  // The target for the latest writer region, so a warm get() builds no object.
  #resolved: Resolved | undefined;

  constructor({ plan, credentials, signer, cache, lifetimeS, writers }: ProviderParts) {
    this.#plan = plan;
    this.#credentials = credentials;
    this.#signer = signer;
    this.#cache = cache;
    this.#lifetimeS = lifetimeS;
    this.#writers = writers;
    if (plan.kind === 'fixed') this.#resolved = { target: plan.target, writer: undefined };
  }

  async target(): Promise<TokenTarget> {
    return (await this.#resolve()).target;
  }

  async get(): Promise<IssuedToken> {
    // Credentials first: their identity is part of the key, so rotated or different credentials never share a token.
    const current = await this.#credentials.current();
    const resolved = await this.#resolve();
    const { target } = resolved;
    const key = this.#key(target, current);
    const lookup = await this.#cache.get(key, this.#lifetimeS * 1000, () => this.#sign(target, current));
    if (lookup.fromCache) {
      publish('rdsiam:token:cache-hit', () => ({
        ...targetFields(target),
        fingerprint: lookup.token.fingerprint,
        ageMs: this.#cache.clock.now() - lookup.token.signedAt,
      }));
    }
    return this.#issue(key, lookup, resolved);
  }

  async fresh(refused?: IssuedToken): Promise<IssuedToken> {
    const current = await this.#credentials.current();
    const resolved = await this.#resolve();
    const key = this.#key(resolved.target, current);
    const lookup = await this.#cache.refresh(
      key,
      this.#lifetimeS * 1000,
      () => this.#sign(resolved.target, current),
      refused?.fingerprint,
    );
    return this.#issue(key, lookup, resolved);
  }

  async refused(token: IssuedToken): Promise<boolean> {
    const provenance = Issued.provenanceOf(token);
    if (provenance !== undefined) this.#cache.invalidate(provenance.key, token.fingerprint);
    if (this.#plan.kind === 'global' && provenance?.writer !== undefined) {
      const writer = await this.#writers.refresh(this.#plan.lookup, this.#credentials, provenance.writer);
      if (writer.region !== provenance.writer.region) return true;
    }
    return token.fromCache;
  }

  warm(): void {
    const plan = this.#plan;
    this.#signer.warm?.(plan.kind === 'fixed' ? plan.target.plugin : plan.base.plugin);
  }

  /** The target, without a promise when it is known (a fixed region, or a writer region still in the cache). */
  #resolve(): Resolved | Promise<Resolved> {
    const plan = this.#plan;
    if (plan.kind === 'fixed') return this.#resolved!;
    const found = this.#writers.get(plan.lookup, this.#credentials);
    return found instanceof Promise
      ? found.then((w) => this.#inWriterRegion(plan.base, w))
      : this.#inWriterRegion(plan.base, found);
  }

  #inWriterRegion(base: TargetBase, writer: WriterRegion): Resolved {
    if (this.#resolved?.writer !== writer) {
      this.#resolved = { target: inRegion(base, writer.region, 'DescribeGlobalClusters'), writer };
    }
    return this.#resolved;
  }

  #key(t: TokenTarget, current: CurrentCredentials): string {
    return [t.plugin, t.region, t.host, t.port, t.user, current.identity].join('\u0000');
  }

  async #sign(target: TokenTarget, current: CurrentCredentials): Promise<Signing> {
    const started = this.#cache.clock.now();
    try {
      const token = await traced(
        'rdsiam:sign',
        () => targetFields(target),
        () => this.#signer.sign(target, this.#lifetimeS),
        (signed) => ({ fingerprint: fingerprint(signed) }),
      );
      publish('rdsiam:token:signed', () => ({
        ...targetFields(target),
        fingerprint: fingerprint(token),
        durationMs: this.#cache.clock.now() - started,
        signedAt: started,
      }));
      return { token, notAfter: current.expiresAt === null ? null : current.expiresAt - CREDENTIALS_MARGIN_MS };
    } catch (err) {
      const error =
        err instanceof RdsIamError
          ? err
          : new RdsIamError(
              `Signing an IAM token for ${target.user}@${target.host}:${target.port} failed: ` +
                `${scrub(err instanceof Error ? err.message : String(err))}`,
            );
      publish('rdsiam:token:sign-failed', () => ({
        ...targetFields(target),
        durationMs: this.#cache.clock.now() - started,
        error: error.message,
      }));
      throw error;
    }
  }

  #issue(key: string, lookup: CacheLookup, resolved: Resolved): IssuedToken {
    return new Issued(lookup, resolved.target, { key, writer: resolved.writer });
  }
}
