import { setTimeout as delay } from 'node:timers/promises';
import type { Engine } from '../config/dsn.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { ThrottledError, UnavailableError } from '../errors.js';
import { publish } from '../events.js';
import { traced } from '../tracing.js';
import { systemClock, type Clock } from '../clock.js';
import { connectPlanFor } from './plan.js';
import { transientState, type TransientState } from './transient.js';

/** Time, randomness and waiting, injectable so tests run backoffs without sleeping. */
export interface RetryTiming {
  clock: Clock;
  /** A number in [0, 1). */
  random(): number;
  sleep(ms: number): Promise<void>;
}

const systemTiming: RetryTiming = { clock: systemClock, random: Math.random, sleep: (ms) => delay(ms) };

/** What one connect may spend on retries, and where it goes (for events and messages). */
export interface ConnectRetryPolicy {
  engine: Engine;
  host: string;
  port: number;
  budgetMs: number;
  timing: RetryTiming;
}

export function connectRetryFor(config: ResolvedConfig, timing: RetryTiming = systemTiming): ConnectRetryPolicy {
  const { host, port } = connectPlanFor(config);
  return { engine: config.dsn.engine, host, port, budgetMs: config.connect_retry_budget_ms, timing };
}

/**
 * How long a paused Aurora Serverless v2 instance (0 ACU) typically takes to resume; AWS holds the connect meanwhile
 * and advises client timeouts above it.
 */
export const SERVERLESS_RESUME_MS = 15_000;

/** Whether a new connection outlasts a Serverless v2 resume: its retries go on while the instance resumes. */
export function ridesThroughResume(
  config: Pick<ResolvedConfig, 'connect_timeout_ms' | 'connect_retry_budget_ms'>,
): boolean {
  return config.connect_timeout_ms + config.connect_retry_budget_ms > SERVERLESS_RESUME_MS;
}

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

/**
 * The wait before retry `n` (1-based): exponential, capped, with "equal jitter" (half fixed, half random) so that a
 * fleet refused at the same instant does not come back at the same instant, and never comes back at once.
 */
export function backoffMs(n: number, random: () => number): number {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (n - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `attempt` (one new connection) and, while it fails in a transient server state (starting up, shutting down,
 * refused, reset, stalled, or RDS Proxy throttling), runs it again after a jittered backoff, until the retry budget
 * is spent. Only connects come here: a query in flight is never retried.
 */
export function withConnectRetry<T>(policy: ConnectRetryPolicy, attempt: () => Promise<T>): Promise<T> {
  let attempts = 0;
  return traced(
    'rdsiam:connect',
    () => ({ engine: policy.engine, host: policy.host, port: policy.port }),
    () =>
      retrying(policy, () => {
        attempts++;
        return attempt();
      }),
    () => ({ attempts }),
  );
}

async function retrying<T>(policy: ConnectRetryPolicy, attempt: () => Promise<T>): Promise<T> {
  const { clock, random, sleep } = policy.timing;
  const started = clock.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const state = transientState(policy.engine, err);
      if (state === undefined) throw err;
      const wait = backoffMs(n, random);
      const elapsedMs = clock.now() - started;
      if (elapsedMs + wait > policy.budgetMs) throw outOfBudget(policy, state, n, elapsedMs, err);
      publish('rdsiam:connect:backoff', () => ({
        engine: policy.engine,
        host: policy.host,
        port: policy.port,
        kind: state.kind,
        reason: state.reason,
        attempt: n,
        delayMs: wait,
        elapsedMs,
        budgetMs: policy.budgetMs,
      }));
      await sleep(wait);
    }
  }
}

function outOfBudget(
  p: ConnectRetryPolicy,
  state: TransientState,
  attempts: number,
  elapsedMs: number,
  cause: unknown,
): Error {
  const tried = `${attempts} connect${attempts === 1 ? '' : 's'} over ${elapsedMs} ms`;
  const budget = `connect_retry_budget_ms (${p.budgetMs} ms)`;
  if (state.kind === 'throttled') {
    return new ThrottledError(
      `The database at ${p.host}:${p.port} (RDS Proxy) throttled new connections: ${tried} failed with "${state.reason}". ` +
        'Open new IAM connections more slowly: keep connections in a pool, cap them per process with ' +
        `iam_max_new_connections_per_s (RDS advises at most about 200 new IAM connections per second), or raise ${budget}.`,
      { cause },
    );
  }
  return new UnavailableError(
    `The database at ${p.host}:${p.port} was unavailable: ${tried} failed, the last with "${state.reason}". ` +
      `rdsiam retries a new connection for at most ${budget}: raise it if restarts, failovers (about 30 s on Aurora) ` +
      `or a Serverless v2 resume (about ${SERVERLESS_RESUME_MS / 1000} s) take longer here, or check that the server is up and reachable.`,
    { cause },
  );
}
