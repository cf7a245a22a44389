import type { CredentialsProvider } from '../aws-credentials.js';
import { type Clock, systemClock } from '../clock.js';
import { GlobalWriterRegions } from '../endpoint/global-writer.js';
import { MemoryTokenCache, processTokenCache, type TokenCache } from './cache.js';
import { type CredentialSettings, SharedCredentials } from './credentials.js';
import { SdkTokenSigner } from './signers.js';

// Stands for "the SDK provider the settings build" as a WeakMap key.
const NOT_INJECTED = {};

/**
 * What every token provider on one clock shares, so that they agree on time: the token cache, the writer regions of
 * global database endpoints, credentials by settings (and injected provider), and one SDK signer per credentials,
 * whose per-target SDK signers are then reused by every provider.
 */
export class TokenRuntime {
  readonly clock: Clock;
  readonly cache: TokenCache;
  readonly writers: GlobalWriterRegions;
  readonly #credentials = new WeakMap<object, Map<string, SharedCredentials>>();
  readonly #signers = new WeakMap<SharedCredentials, SdkTokenSigner>();

  constructor(clock: Clock, cache: TokenCache) {
    this.clock = clock;
    this.cache = cache;
    this.writers = new GlobalWriterRegions(clock);
  }

  /** The one SharedCredentials for these settings (and this injected provider, if any). */
  credentials(settings: CredentialSettings, injected?: CredentialsProvider): SharedCredentials {
    const by = injected ?? NOT_INJECTED;
    let bySettings = this.#credentials.get(by);
    if (bySettings === undefined) this.#credentials.set(by, (bySettings = new Map()));
    const key = JSON.stringify(settings, Object.keys(settings).sort());
    let found = bySettings.get(key);
    if (found === undefined) {
      found = new SharedCredentials(settings, { clock: this.clock, ...(injected && { credentials: injected }) });
      bySettings.set(key, found);
    }
    return found;
  }

  /** The SDK signer for these credentials. */
  sdkSigner(credentials: SharedCredentials): SdkTokenSigner {
    let signer = this.#signers.get(credentials);
    if (signer === undefined) this.#signers.set(credentials, (signer = new SdkTokenSigner(credentials.provider)));
    return signer;
  }
}

let runtimes: WeakMap<Clock, TokenRuntime> | undefined;

/** The runtime of `clock`, created on first use; the system clock's keeps its tokens in the process token cache. */
export function runtimeFor(clock: Clock = systemClock): TokenRuntime {
  runtimes ??= new WeakMap();
  let found = runtimes.get(clock);
  if (found === undefined) {
    const cache = clock === systemClock ? processTokenCache() : new MemoryTokenCache({ clock });
    runtimes.set(clock, (found = new TokenRuntime(clock, cache)));
  }
  return found;
}
