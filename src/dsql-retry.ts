import type { PgPoolClient } from './drivers/driver-types.js';
import { RdsIamError } from './errors.js';
import { publish } from './events.js';

/** How `withDsqlRetry` retries: how often, how long it waits, and what stops it. */
export interface DsqlRetryOptions {
  /** Tries in all, the first one included. Default 3. */
  maxAttempts?: number;
  /** The backoff before the first retry is up to this many ms; it doubles for each retry after. Default 100. */
  baseDelayMs?: number;
  /** No wait between tries is longer than this many ms. Default 1000. */
  maxDelayMs?: number;
  /** Stops retrying: a wait ends at once and the signal's reason is thrown; no new try starts. */
  signal?: AbortSignal;
  /** `BEGIN ISOLATION LEVEL …`. Default: the session's (on DSQL, its only level: repeatable read). */
  isolationLevel?: IsolationLevel;
}

/** A connected client, as withDsqlRetry uses it: pg's Client and PoolClient fit, as does any client shaped so. */
export interface DsqlRetryClient {
  /** Runs one statement (BEGIN, COMMIT, ROLLBACK); `command` names what the server did (ROLLBACK for a failed COMMIT). */
  query(text: string): Promise<{ command: string }>;
}

/** A client taken from a pool, as withDsqlRetry gives it back. */
export interface PooledClient {
  /** Returns the client to its pool; with an error, the pool closes it instead. */
  release(err?: Error): void;
}

/** A pool, as withDsqlRetry uses it: pg's Pool fits, as does any pool shaped so. */
export interface DsqlRetryPool<C extends DsqlRetryClient> {
  /** Tells a pool from a client. */
  readonly idleCount: number;
  /** A client of the pool for the whole call, released after (with the error, when it could not roll back). */
  connect(): Promise<C & PooledClient>;
}

type IsolationLevel = 'serializable' | 'repeatable read' | 'read committed';

/** The error codes that mean "another transaction won: run yours again". */
export type ConflictCode = '40001' | 'OC000' | 'OC001';

const ISOLATION_LEVELS: readonly IsolationLevel[] = ['serializable', 'repeatable read', 'read committed'];
const DEFAULTS = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };

/**
 * Runs `fn` in a transaction and runs it again when it loses an optimistic-concurrency conflict: SQLSTATE 40001
 * (serialization failure), which is how Aurora DSQL reports OC000 (a row changed by another transaction) and OC001
 * (the schema changed). Waits between tries with full-jitter exponential backoff, bounded by `maxDelayMs`; any other
 * error is rethrown at once, and a conflict on the last try is rethrown as the driver gave it. Publishes
 * `rdsiam:dsql:retry` before each retry.
 *
 * `db` is a pg Pool (a client is taken for the whole call and released after) or a connected client. `fn` may run
 * more than once, so it must not have effects outside the database that cannot be repeated.
 */
// The client type of a pool is inferred where its `connect` has one signature; pg's has two (promise and callback),
// which TypeScript cannot infer from, so it defaults to pg's PoolClient.
export async function withDsqlRetry<T, C extends DsqlRetryClient = PgPoolClient>(
  db: DsqlRetryPool<C>,
  fn: (client: C) => Promise<T>,
  options?: DsqlRetryOptions,
): Promise<T>;
export async function withDsqlRetry<T, C extends DsqlRetryClient>(
  db: C,
  fn: (client: C) => Promise<T>,
  options?: DsqlRetryOptions,
): Promise<T>;
export async function withDsqlRetry<T>(
  db: DsqlRetryPool<DsqlRetryClient> | DsqlRetryClient,
  work: (client: never) => Promise<T>,
  options: DsqlRetryOptions = {},
): Promise<T> {
  const settings = checked(options);
  // Each overload hands fn the kind of client it was given (a pooled client from a pool).
  const fn = work as (client: DsqlRetryClient) => Promise<T>;
  if (!isPool(db)) return inTransaction(db, fn, settings);
  options.signal?.throwIfAborted();
  const client = await db.connect();
  try {
    const result = await inTransaction(client, fn, settings);
    client.release();
    return result;
  } catch (err) {
    // A connection that could not even roll back is closed rather than returned to the pool.
    client.release(brokenConnections.has(client) ? (err as Error) : undefined);
    throw err;
  }
}

/** What the code of a failed statement says: a conflict worth another try, or not. */
export function conflictCode(err: unknown): ConflictCode | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, message } = err as { code?: unknown; message?: unknown };
  // DSQL sends SQLSTATE 40001 with its own code in the text: "change conflicts with another transaction, please retry: (OC000)".
  const dsql = /\b(OC00[01])\b/.exec(`${String(code)} ${typeof message === 'string' ? message : ''}`)?.[1];
  if (dsql === 'OC000' || dsql === 'OC001') return dsql;
  return code === '40001' ? '40001' : undefined;
}

/** The wait before retry number `retry` (1 for the first): uniform in [0, min(maxDelayMs, baseDelayMs * 2^(retry-1))]. */
export function backoffDelay(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1)));
}

interface Settings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  signal: AbortSignal | undefined;
  begin: string;
}

const brokenConnections = new WeakSet<object>();

async function inTransaction<T>(
  client: DsqlRetryClient,
  fn: (client: DsqlRetryClient) => Promise<T>,
  s: Settings,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    s.signal?.throwIfAborted();
    await client.query(s.begin);
    try {
      const result = await fn(client);
      const done = await client.query('COMMIT');
      // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK: fn caught a statement's error and carried on.
      if (done.command === 'ROLLBACK') {
        throw new RdsIamError(
          'withDsqlRetry: the transaction was rolled back at COMMIT because a statement in it failed and fn caught the ' +
            'error; nothing was written. Let the error propagate out of fn.',
        );
      }
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        brokenConnections.add(client);
        throw err;
      }
      const code = conflictCode(err);
      if (code === undefined || attempt >= s.maxAttempts) throw err;
      const delayMs = backoffDelay(attempt, s.baseDelayMs, s.maxDelayMs);
      publish('rdsiam:dsql:retry', () => ({ attempt, maxAttempts: s.maxAttempts, delayMs, code }));
      await wait(delayMs, s.signal);
    }
  }
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A pg Pool, as opposed to a client: it has pool counters (structural, so pg need not be loaded to tell). */
function isPool(db: DsqlRetryPool<DsqlRetryClient> | DsqlRetryClient): db is DsqlRetryPool<DsqlRetryClient> {
  const pool = db as Partial<DsqlRetryPool<DsqlRetryClient>>;
  return typeof pool.idleCount === 'number' && typeof pool.connect === 'function';
}

function checked(o: DsqlRetryOptions): Settings {
  const problems: string[] = [];
  const whole = (name: keyof typeof DEFAULTS, min: number) => {
    const value = o[name] ?? DEFAULTS[name];
    if (!Number.isInteger(value) || value < min)
      problems.push(`${name} must be a whole number from ${min}, got ${String(value)}`);
    return value;
  };
  const maxAttempts = whole('maxAttempts', 1);
  const baseDelayMs = whole('baseDelayMs', 0);
  const maxDelayMs = whole('maxDelayMs', 0);
  const level = o.isolationLevel;
  if (level !== undefined && !ISOLATION_LEVELS.includes(level)) {
    problems.push(`isolationLevel must be one of ${ISOLATION_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  }
  if (problems.length > 0) throw new RdsIamError(`withDsqlRetry: ${problems.join('; ')}.`);
  const begin = level === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${level.toUpperCase()}`;
  return { maxAttempts, baseDelayMs, maxDelayMs, signal: o.signal, begin };
}
