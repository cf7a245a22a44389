// A real-time fault soak with a ledger: writers on a pg pool and a mysql2 pool (through rdsiam) insert one row per
// transaction and note whether its commit was acknowledged, while the servers restart, the verifier goes away,
// sessions are killed and a cached token is refused. Afterwards the ledger is compared with the tables.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { createMysqlPool, createPgPool, RdsIamError } from '../../src/index.js';
import { countingCredentials } from '../support/credentials.js';
import { onEvent } from '../support/events.js';
import { killSessions, restartServer, type RdsServer } from '../support/testbed-faults.js';
import { testbedOptions } from '../support/testbed-config.js';
import type { Testbed, TestCredentials } from '../support/testbed.js';

export interface SoakOptions {
  /** Wall time of the workload; the faults are spread evenly over it. */
  seconds: number;
  /** Writers per engine. */
  writers: number;
  say?: (line: string) => void;
}

/** One fault and how long each pool took to serve again once it was lifted. */
export interface FaultRecord {
  fault: string;
  /** ms from the start of the run. */
  at: number;
  /** How long the fault lasted (a restart: until the server answered again). */
  durationMs: number;
  /** Per engine: ms from the fault's end to the first acknowledged commit begun after it; null if none came. */
  recoveredMs: Record<RdsServer, number | null>;
}

export interface SoakSummary {
  seconds: number;
  writersPerEngine: number;
  /** Transactions begun (a connection was had); a failed connect is counted in `failures` only. */
  transactions: Record<RdsServer, number>;
  acknowledged: Record<RdsServer, number>;
  /** Failed transactions by engine, phase (connect or query) and cause (error class or driver code). */
  failures: Record<string, number>;
  /** Failures that were neither an rdsiam error nor a driver error with a code: each should be none. */
  untypedFailures: string[];
  /** A sample message per cause, to judge them by (never a token: the verdict checks). */
  messages: Record<string, string>;
  faults: FaultRecord[];
  /** Acknowledged commits whose row is missing. */
  lost: number;
  /** Rows present more than once. */
  duplicated: number;
  /** Rows whose commit was not acknowledged (failed in flight) but that were applied. */
  appliedUnacknowledged: number;
  /** Logins the verifier refused as too old (the refused-once fault), and retries with a fresh token rdsiam made. */
  staleTokenRefusals: number;
  tokenRetries: number;
  /** Errors pg's pool reported for idle clients whose server went away (not failures: no work was running). */
  idleClientErrors: number;
  unhandledRejections: string[];
  uncaughtExceptions: string[];
}

/** After each fault every pool must serve again within this; a restart's own downtime is not counted. */
export const RECOVERY_BOUND_MS = 10_000;
// A restart shorter than this is ridden through by a new connection: no connect may fail for it.
const CONNECT_RETRY_BUDGET_MS = 30_000;
const TABLE = 'soak_ledger';

type Engine = RdsServer;
interface Outcome {
  engine: Engine;
  acked: boolean;
}

class Ledger {
  readonly entries = new Map<string, Outcome>();
  readonly failures = new Map<string, number>();
  readonly messages = new Map<string, string>();
  readonly untyped: string[] = [];
  // Who waits for the first commit begun after a moment, per engine.
  readonly #waiters: { engine: Engine; since: number; resolve: (at: number) => void }[] = [];

  begin(id: string, engine: Engine): void {
    this.entries.set(id, { engine, acked: false });
  }

  ack(id: string, startedAt: number): void {
    const entry = this.entries.get(id)!;
    entry.acked = true;
    const now = performance.now();
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i]!;
      if (w.engine === entry.engine && startedAt >= w.since) {
        this.#waiters.splice(i, 1);
        w.resolve(now);
      }
    }
  }

  fail(engine: Engine, phase: 'connect' | 'query', err: unknown): void {
    const e = err as { code?: unknown; message?: unknown };
    const typed =
      err instanceof RdsIamError || (typeof e.code === 'string' && e.code !== '') || isPgConnectionLoss(err);
    const cause =
      err instanceof RdsIamError
        ? err.name
        : typeof e.code === 'string'
          ? e.code
          : err instanceof Error
            ? err.message
            : String(err);
    const key = `${engine} ${phase} ${cause}`;
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    if (!this.messages.has(key)) this.messages.set(key, String(e.message ?? err).slice(0, 300));
    if (!typed) this.untyped.push(`${key}: ${String(e.message ?? err)}`);
  }

  /** When the first commit on `engine` begun at or after `since` (performance.now()) is acknowledged. */
  firstAckAfter(engine: Engine, since: number, timeoutMs: number): Promise<number | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve(null);
      }, timeoutMs);
      const waiter = {
        engine,
        since,
        resolve: (at: number) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      this.#waiters.push(waiter);
    });
  }
}

// pg reports a socket that closed under a query with these texts and no code: its own error for a lost connection.
const PG_CONNECTION_LOSS = [/^Connection terminated unexpectedly$/, /^Connection terminated$/];
function isPgConnectionLoss(err: unknown): boolean {
  return err instanceof Error && PG_CONNECTION_LOSS.some((text) => text.test(err.message));
}

interface Pools {
  pg: pg.Pool;
  mysql: mysql.Pool;
}

/** A pooled connection, as one transaction needs it. */
interface Session {
  /** Inserts the row `id` in a transaction and commits. */
  write(id: string, runId: string): Promise<void>;
  /** Back to the pool. */
  keep(): void;
  /** Closed, after a failure. */
  drop(err: unknown): void;
}

const sessions: Record<Engine, (pools: Pools) => Promise<Session>> = {
  postgres: async (pools) => {
    const client = await pools.pg.connect();
    return {
      async write(id, runId) {
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${TABLE} (op_id, run_id) VALUES ($1, $2)`, [id, runId]);
        await client.query('COMMIT');
      },
      keep: () => client.release(),
      drop: (err) => client.release(err as Error),
    };
  },
  mysql: async (pools) => {
    const conn = await pools.mysql.getConnection();
    return {
      async write(id, runId) {
        await conn.beginTransaction();
        await conn.query(`INSERT INTO ${TABLE} (op_id, run_id) VALUES (?, ?)`, [id, runId]);
        await conn.commit();
      },
      keep: () => conn.release(),
      drop: () => conn.destroy(),
    };
  },
};

/** One transaction on `engine`, in the ledger; true when its commit was acknowledged. */
async function transaction(engine: Engine, pools: Pools, ledger: Ledger, id: string, runId: string): Promise<boolean> {
  let session: Session;
  try {
    session = await sessions[engine](pools);
  } catch (err) {
    ledger.fail(engine, 'connect', err);
    return false;
  }
  const startedAt = performance.now();
  ledger.begin(id, engine);
  try {
    await session.write(id, runId);
    session.keep();
    ledger.ack(id, startedAt);
    return true;
  } catch (err) {
    session.drop(err);
    ledger.fail(engine, 'query', err);
    return false;
  }
}

/** The faults, in order; each resolves once lifted. */
function faultPlan(tb: Testbed, key: TestCredentials, lastSignedAt: () => number) {
  const both = async () => {
    await killSessions(tb, 'postgres', tb.postgres.iamUser);
    await killSessions(tb, 'mysql', tb.mysql.iamUser);
  };
  const plan: [string, () => Promise<void>][] = [
    ['postgres restart', () => restartServer(tb, 'postgres')],
    ['mysql restart', () => restartServer(tb, 'mysql')],
    ['pg_terminate_backend', () => killSessions(tb, 'postgres', tb.postgres.iamUser).then(() => undefined)],
    ['mysql KILL', () => killSessions(tb, 'mysql', tb.mysql.iamUser).then(() => undefined)],
    [
      'verifier down 2 s, sessions killed meanwhile',
      async () => {
        await tb.verifier.stop();
        try {
          await both();
          await delay(2_000);
        } finally {
          await tb.verifier.start();
        }
      },
    ],
    [
      'cached token refused once (sessions killed)',
      async () => {
        // The key now refuses tokens older than 3 s: the pools' cached token, once it is that old.
        const wait = lastSignedAt() + 4_000 - performance.now();
        if (wait > 0) await delay(wait);
        await tb.verifier.addKey({ ...key, maxTokenAgeSeconds: 3 });
        try {
          await both();
          await delay(1_000);
        } finally {
          await tb.verifier.addKey(key);
        }
      },
    ],
    ['postgres restart', () => restartServer(tb, 'postgres')],
    ['mysql restart', () => restartServer(tb, 'mysql')],
  ];
  return plan;
}

async function createTables(pools: Pools): Promise<void> {
  await pools.pg.query(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (seq bigserial PRIMARY KEY, op_id text NOT NULL, run_id text NOT NULL)`,
  );
  await pools.mysql.query(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (seq bigint AUTO_INCREMENT PRIMARY KEY, op_id varchar(64) NOT NULL, run_id varchar(32) NOT NULL, KEY (run_id))`,
  );
}

/** Every op_id of this run, with how often it is present. */
async function rowsOf(pools: Pools, engine: Engine, runId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const rows =
    engine === 'postgres'
      ? (await pools.pg.query(`SELECT op_id FROM ${TABLE} WHERE run_id = $1`, [runId])).rows
      : ((await pools.mysql.query(`SELECT op_id FROM ${TABLE} WHERE run_id = ?`, [runId]))[0] as { op_id: string }[]);
  for (const { op_id } of rows as { op_id: string }[]) counts.set(op_id, (counts.get(op_id) ?? 0) + 1);
  return counts;
}

/** Runs the soak against `tb`, which it must have to itself (it restarts the servers). */
export async function runSoak(tb: Testbed, options: SoakOptions): Promise<SoakSummary> {
  const say = options.say ?? (() => {});
  const unhandledRejections: string[] = [];
  const uncaughtExceptions: string[] = [];
  const onRejection = (reason: unknown) => void unhandledRejections.push(String(reason));
  const onException = (err: Error) => void uncaughtExceptions.push(String(err));
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);

  const runId = randomBytes(6).toString('hex');
  const key = await tb.newKey();
  const credentials = countingCredentials(key).provider;
  const poolSettings = {
    pool: { max: options.writers },
    connect_retry_budget_ms: CONNECT_RETRY_BUDGET_MS,
  };
  const pools: Pools = {
    pg: await createPgPool(testbedOptions(tb, 'postgres', credentials, poolSettings)),
    mysql: await createMysqlPool(testbedOptions(tb, 'mysql', credentials, poolSettings)),
  };
  // An idle pooled client whose server goes away emits 'error' (unheard, it would crash the process): an application
  // listens, as here. The pool drops that client; the next connect opens a new one.
  let idleClientErrors = 0;
  pools.pg.on('error', () => void idleClientErrors++);

  let lastSigned = performance.now();
  let tokenRetries = 0;
  const stopSigned = onEvent('rdsiam:token:signed', () => void (lastSigned = performance.now()));
  const stopRetry = onEvent('rdsiam:connect:retry', () => void tokenRetries++);
  const firstSeq = (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).length;

  const ledger = new Ledger();
  const faults: FaultRecord[] = [];
  try {
    await createTables(pools);
    const started = performance.now();
    const endAt = started + options.seconds * 1000;
    let running = true;
    const writer = async (engine: Engine, w: number) => {
      for (let n = 0; running; n++) {
        const id = `${runId}-${engine === 'postgres' ? 'p' : 'm'}${w}-${n}`;
        const acked = await transaction(engine, pools, ledger, id, runId);
        // After a failure an application backs off a little instead of spinning on a pool that cannot serve.
        if (!acked) await delay(50);
      }
    };
    const writers = (['postgres', 'mysql'] as const).flatMap((engine) =>
      Array.from({ length: options.writers }, (_, w) => writer(engine, w)),
    );

    const plan = faultPlan(tb, key, () => lastSigned);
    const spacing = (options.seconds * 1000) / (plan.length + 1);
    for (const [i, [fault, inject]] of plan.entries()) {
      const due = started + spacing * (i + 1) - performance.now();
      if (due > 0) await delay(due);
      const at = performance.now();
      say(`${((at - started) / 1000).toFixed(1)} s: ${fault}`);
      await inject();
      const lifted = performance.now();
      const [pgAck, mysqlAck] = await Promise.all(
        (['postgres', 'mysql'] as const).map((engine) => ledger.firstAckAfter(engine, lifted, 30_000)),
      );
      const recovered = (ackAt: number | null | undefined) =>
        ackAt === null || ackAt === undefined ? null : Math.round(ackAt - lifted);
      faults.push({
        fault,
        at: Math.round(at - started),
        durationMs: Math.round(lifted - at),
        recoveredMs: { postgres: recovered(pgAck), mysql: recovered(mysqlAck) },
      });
    }
    const rest = endAt - performance.now();
    if (rest > 0) await delay(rest);
    running = false;
    await Promise.all(writers);

    const summary: SoakSummary = {
      seconds: options.seconds,
      writersPerEngine: options.writers,
      transactions: { postgres: 0, mysql: 0 },
      acknowledged: { postgres: 0, mysql: 0 },
      failures: Object.fromEntries([...ledger.failures].sort()),
      untypedFailures: ledger.untyped.slice(0, 20),
      messages: Object.fromEntries([...ledger.messages].sort()),
      faults,
      lost: 0,
      duplicated: 0,
      appliedUnacknowledged: 0,
      staleTokenRefusals: (await tb.verifier.logins({ accessKeyId: key.accessKeyId }))
        .slice(firstSeq)
        .filter((l) => l.verdict === 'too-old').length,
      tokenRetries,
      idleClientErrors,
      unhandledRejections,
      uncaughtExceptions,
    };
    for (const engine of ['postgres', 'mysql'] as const) {
      const rows = await rowsOf(pools, engine, runId);
      for (const [id, { engine: e, acked }] of ledger.entries) {
        if (e !== engine) continue;
        summary.transactions[engine]++;
        const present = rows.get(id) ?? 0;
        if (acked) summary.acknowledged[engine]++;
        if (acked && present === 0) summary.lost++;
        if (!acked && present > 0) summary.appliedUnacknowledged++;
      }
      for (const count of rows.values()) if (count > 1) summary.duplicated++;
    }
    return summary;
  } finally {
    stopSigned();
    stopRetry();
    await Promise.allSettled([pools.pg.end(), pools.mysql.end()]);
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtExceptionMonitor', onException);
  }
}
