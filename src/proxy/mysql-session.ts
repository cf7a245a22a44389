import type { SecureContext } from 'node:tls';
import type { ResolvedConfig } from '../config/resolve.js';
import type { TokenProvider } from '../token/token-provider.js';
import type { Serve } from './listener.js';
import { ProxyUsageError, type ProxyOptions } from './options.js';

export function mysqlProxied(
  _config: ResolvedConfig,
  _provider: TokenProvider,
  _options: ProxyOptions,
  _tls: SecureContext | undefined,
): { serve: Serve; probe(): Promise<void> } {
  throw new ProxyUsageError('rdsiam proxy does not serve mysql:// connections yet');
}
