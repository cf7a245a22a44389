// withDsqlRetry against real serialization failures: the test bed's PostgreSQL in SERIALIZABLE transactions, where a
// concurrent committed update makes ours fail with SQLSTATE 40001, as DSQL's optimistic concurrency does (OC000).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ClientBase, Pool } from 'pg';
import { connectPg, createPgPool, withDsqlRetry } from '../../src/index.js';
import { findTestbed, requireTestbed, type Testbed } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { collect, onEvent } from '../support/events.js';
import { testbedOptions } from '../support/testbed-config.js';

const TABLE = `occ_${randomBytes(4).toString('hex')}`;
const SERIALIZABLE = { isolationLevel: 'serializable', baseDelayMs: 5 } as const;

let tb: Testbed | undefined;
let pool: Pool | undefined;

before(async () => {
  tb = await findTestbed();
  if (!tb) return;
  const key = await tb.newKey();
  pool = await createPgPool(testbedOptions(tb, 'postgres', countingCredentials(key).provider, { pool: { max: 8 } }));
  await pool.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, v int NOT NULL)`);
});
after(async () => {
  await pool?.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pool?.end();
});

/** A fresh counter row, for one test. */
async function counter(): Promise<number> {
  const id = Math.floor(Math.random() * 2 ** 31);
  await pool!.query(`INSERT INTO ${TABLE} (id, v) VALUES ($1, 0)`, [id]);
  return id;
}
const rowValue = async (id: number) =>
  (await pool!.query<{ v: number }>(`SELECT v FROM ${TABLE} WHERE id = $1`, [id])).rows[0]!.v;
/** Another session commits an update of the row in between: the conflict every OCC retry is for. */
const interfere = (id: number) => pool!.query(`UPDATE ${TABLE} SET v = v + 100 WHERE id = $1`, [id]);

/**
 * A transaction body that reads the counter and writes it back plus one, returning what it read. `meddle(try)` says
 * whether another session commits an update between the read and the write on that try.
 */
function readIncrement(id: number, meddle: (tryNumber: number) => boolean = () => false) {
  let tries = 0;
  const body = async (client: ClientBase): Promise<number> => {
    tries++;
    const v = (await client.query<{ v: number }>(`SELECT v FROM ${TABLE} WHERE id = $1`, [id])).rows[0]!.v;
    if (meddle(tries)) await interfere(id);
    await client.query(`UPDATE ${TABLE} SET v = $2 WHERE id = $1`, [id, v + 1]);
    return v;
  };
  return { body, tries: () => tries };
}

describe('withDsqlRetry on real serialization failures', () => {
  test('a transaction that loses a conflict runs again and commits once, with no lost update', async (t) => {
    if (!(await requireTestbed(t)) || !pool) return;
    const id = await counter();
    const retries = collect('rdsiam:dsql:retry');
    const work = readIncrement(id, (n) => n === 1);
    try {
      const seen = await withDsqlRetry(pool, work.body, SERIALIZABLE);
      assert.deepEqual([seen, work.tries(), await rowValue(id)], [100, 2, 101]);
      assert.deepEqual(
        retries.events.map((e) => [e.attempt, e.maxAttempts, e.code]),
        [[1, 3, '40001']],
      );
      assert.ok(retries.events[0]!.delayMs >= 0 && retries.events[0]!.delayMs <= 5);
    } finally {
      retries.stop();
    }
  });

  test('gives up after maxAttempts, rethrowing the conflict as PostgreSQL gave it, having written nothing', async (t) => {
    if (!(await requireTestbed(t)) || !pool) return;
    const id = await counter();
    const retries = collect('rdsiam:dsql:retry');
    const work = readIncrement(id, () => true);
    try {
      const err = await withDsqlRetry(pool, work.body, SERIALIZABLE).catch((e: unknown) => e);
      assert.equal((err as { code?: string }).code, '40001');
      assert.match((err as Error).message, /could not serialize access/);
      assert.equal(work.tries(), 3);
      assert.deepEqual(
        retries.events.map((e) => e.attempt),
        [1, 2],
      );
      assert.equal(await rowValue(id), 300, 'only the other sessions wrote');
    } finally {
      retries.stop();
    }
  });

  test('concurrent increments under SERIALIZABLE all land', async (t) => {
    if (!(await requireTestbed(t)) || !pool) return;
    const id = await counter();
    const increment = () => withDsqlRetry(pool!, readIncrement(id).body, { ...SERIALIZABLE, maxAttempts: 10 });
    const retries = collect('rdsiam:dsql:retry');
    try {
      await Promise.all(Array.from({ length: 5 }, increment));
      assert.equal(await rowValue(id), 5);
      assert.ok(retries.events.length >= 1, 'the increments did conflict');
    } finally {
      retries.stop();
    }
  });

  test('any other error is rethrown at once and its transaction rolled back', async (t) => {
    if (!(await requireTestbed(t)) || !pool) return;
    const id = await counter();
    let tries = 0;
    const err = await withDsqlRetry(pool, async (client) => {
      tries++;
      await client.query(`UPDATE ${TABLE} SET v = 7 WHERE id = $1`, [id]);
      await client.query(`INSERT INTO ${TABLE} (id, v) VALUES ($1, 0)`, [id]);
    }).catch((e: unknown) => e);
    assert.equal((err as { code?: string }).code, '23505', 'the duplicate key error itself');
    assert.deepEqual([tries, await rowValue(id)], [1, 0]);
    assert.equal(pool.totalCount - pool.idleCount, 0, 'the client went back to the pool');
  });

  test('an error fn caught and swallowed still aborts the transaction: that is an error, not a silent rollback', async (t) => {
    if (!(await requireTestbed(t)) || !pool) return;
    const id = await counter();
    const err = await withDsqlRetry(pool, async (client) => {
      await client.query(`UPDATE ${TABLE} SET v = 9 WHERE id = $1`, [id]);
      await client.query('SELECT no_such_column').catch(() => {});
    }).catch((e: unknown) => e);
    assert.match(
      (err as Error).message,
      /rolled back at COMMIT because a statement in it failed and fn caught the error; nothing was written/,
    );
    assert.equal(await rowValue(id), 0);
  });

  test('an abort signal ends the wait at once and starts no new try; an aborted signal starts none', {
    timeout: 20_000,
  }, async (t) => {
    if (!(await requireTestbed(t)) || !pool) return;
    const id = await counter();
    for (const when of ['before the wait', 'during the wait'] as const) {
      const controller = new AbortController();
      // Published just before the wait: abort then, or once the wait has begun. Either way the minute-long wait ends.
      const stop = onEvent('rdsiam:dsql:retry', () => {
        if (when === 'before the wait') controller.abort(new Error('shutting down'));
        else setImmediate(() => controller.abort(new Error('shutting down')));
      });
      const work = readIncrement(id, () => true);
      try {
        const err: unknown = await withDsqlRetry(pool, work.body, {
          ...SERIALIZABLE,
          baseDelayMs: 60_000,
          maxDelayMs: 60_000,
          signal: controller.signal,
        }).catch((e: unknown) => e);
        assert.equal((err as Error).message, 'shutting down', when);
        assert.equal(work.tries(), 1, when);
      } finally {
        stop();
      }
      let ran = false;
      const aborted: unknown = await withDsqlRetry(pool, async () => void (ran = true), {
        signal: controller.signal,
      }).catch((e: unknown) => e);
      assert.equal((aborted as Error).message, 'shutting down');
      assert.equal(ran, false);
    }
    assert.equal(pool.totalCount - pool.idleCount, 0, 'every client went back to the pool');
  });

  test('takes a connected client as well as a pool', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb || !pool) return;
    const id = await counter();
    const client = await connectPg(testbedOptions(tb, 'postgres', countingCredentials(await tb.newKey()).provider));
    try {
      const work = readIncrement(id, (n) => n === 1);
      await withDsqlRetry(client, work.body, SERIALIZABLE);
      assert.deepEqual([work.tries(), await rowValue(id)], [2, 101]);
    } finally {
      await client.end();
    }
  });
});
