import { loadConfig } from '../config/load.js';
import type { LoadConfigOptions } from '../config/load.js';
import { tokenProviderFor } from './token-provider.js';
import type { TokenDeps } from './token-provider.js';

/**
 * Loads the config and returns an IAM auth token for it, from the process cache when one is live. The one
 * public function that hands out the raw token (for `rdsiam token` and drivers rdsiam does not wrap).
 */
export async function getAuthToken(options: LoadConfigOptions & TokenDeps = {}): Promise<string> {
  const { clock, credentials, signer, cache, ...load } = options;
  const config = await loadConfig(load);
  const token = await tokenProviderFor(config, { clock, credentials, signer, cache }).get();
  return token.value.reveal();
}
