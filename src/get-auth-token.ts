import { loadConfigCached } from './config/cached-load.js';
import type { LoadConfigOptions } from './config/load.js';
import { tokenProviderFor } from './token/token-provider.js';
import type { TokenDeps } from './token/token-provider.js';

/**
 * Loads the config (reused for the same inputs within a second, as `connect*` do) and returns an IAM auth token for
 * it, from the process cache when one is live. The one public function that hands out the raw token (for
 * `rdsiam token` and drivers rdsiam does not wrap).
 */
export async function getAuthToken(options: LoadConfigOptions & TokenDeps = {}): Promise<string> {
  const { clock, credentials, signer, cache, ...load } = options;
  const config = await loadConfigCached(load);
  const token = await tokenProviderFor(config, { clock, credentials, signer, cache }).get();
  return token.value.reveal();
}
