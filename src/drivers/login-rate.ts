import { setTimeout as delay } from 'node:timers/promises';
import type { ResolvedConfig } from '../config/resolve.js';
import { systemClock, type Clock } from '../clock.js';
import type { TokenProvider } from '../token/token-provider.js';
import { connectPlanFor } from './plan.js';

/** Time and waiting, injectable so tests pace logins without sleeping. */
export interface PaceTiming {
  clock: Clock;
  sleep(ms: number): Promise<void>;
}

const systemPace: PaceTiming = { clock: systemClock, sleep: (ms) => delay(ms) };

/**
 * A token bucket of `rate` logins per second holding at most `rate`. A caller with no token reserves the next one
 * (the balance goes negative) and waits until it is due, so waiters are served in order, `rate` per second.
 */
export class LoginBucket {
  readonly #rate: number;
  readonly #timing: PaceTiming;
  #tokens: number;
  #at: number;

  constructor(rate: number, timing: PaceTiming = systemPace) {
    this.#rate = rate;
    this.#timing = timing;
    this.#tokens = rate;
    this.#at = timing.clock.now();
  }

  /** Resolves when this login may start; the wait in ms is what it returns. */
  async take(): Promise<number> {
    const now = this.#timing.clock.now();
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
    this.#tokens -= 1;
    if (this.#tokens >= 0) return 0;
    const wait = Math.ceil((-this.#tokens / this.#rate) * 1000);
    await this.#timing.sleep(wait);
    return wait;
  }
}

// One bucket per host, port and rate, shared by every pool and connection of the process.
let buckets: Map<string, LoginBucket> | undefined;

/**
 * The provider, with `iam_max_new_connections_per_s` applied: each new IAM login (each token a driver asks for)
 * first takes its turn from the process's bucket for that host and port. Unchanged when the key is unset.
 */
export function pacedLogins(provider: TokenProvider, config: ResolvedConfig): TokenProvider {
  const rate = config.iam_max_new_connections_per_s;
  if (rate === undefined) return provider;
  const { host, port } = connectPlanFor(config);
  const id = `${host}:${port}:${rate}`;
  buckets ??= new Map();
  let bucket = buckets.get(id);
  if (bucket === undefined) buckets.set(id, (bucket = new LoginBucket(rate)));
  const paced = bucket;
  return {
    target: () => provider.target(),
    get: async () => {
      await paced.take();
      return provider.get();
    },
    fresh: (refused) => provider.fresh(refused),
    refused: (token) => provider.refused(token),
    warm: () => provider.warm?.(),
  };
}
