import type { Duplex } from 'node:stream';
import type { NodeTlsOptions } from '../drivers/tls.js';

/** Where the proxy's upstream connections go, and how TLS is checked on them. */
export interface UpstreamDial {
  host: string;
  port: number;
  /** Undefined only for `ssl.mode: disable`. */
  tls: NodeTlsOptions | undefined;
  timeoutMs: number;
}

/** Runs `work` on a socket that is destroyed, failing the work, when `ms` pass first. */
export async function withDeadline<T>(
  ms: number,
  what: string,
  work: (track: (s: Duplex) => void) => Promise<T>,
): Promise<T> {
  let current: Duplex | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      current?.destroy();
      // ETIMEDOUT, as a socket reports it: a stalled database is tried again within connect_retry_budget_ms.
      reject(Object.assign(new Error(`${what} timed out after ${ms} ms (connect_timeout_ms)`), { code: 'ETIMEDOUT' }));
    }, ms);
  });
  try {
    return await Promise.race([work((s) => void (current = s)), timeout]);
  } catch (err) {
    current?.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
