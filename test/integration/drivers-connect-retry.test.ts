// New connections ride through restarts, failovers, Serverless v2 resumes and RDS Proxy throttling, through a
// loopback front end that relays to the test bed (restarting the shared servers would disturb parallel tests).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectFromConfig, createPoolFromConfig, ThrottledError, UnavailableError } from '../../src/index.js';
import { wrapDb } from '../support/db.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { collect } from '../support/events.js';
import { testbedOptions } from '../support/testbed-config.js';
import { closedPort, STARTING, startFakeFrontEnd, THROTTLED } from '../support/fake-front-end.js';

type Engine = 'postgres' | 'mysql';

/** The config a user behind the front end writes: dial its port, sign for and verify the server's endpoint and port. */
async function throughFrontEnd(t: Testbed, engine: Engine, port: number, overrides: Record<string, unknown> = {}) {
  const s = t[engine];
  const creds = countingCredentials(await t.newKey());
  const options = testbedOptions(t, engine, creds.provider, {
    dsn: `${engine}://${s.iamUser}@127.0.0.1:${port}/${s.database}`,
    iam_default_port: s.port,
    ...overrides,
  });
  return { options, creds };
}

const SLEEP: Record<Engine, string> = { postgres: 'SELECT pg_sleep(10)', mysql: 'SELECT SLEEP(10)' };

for (const engine of ['postgres', 'mysql'] as const) {
  describe(`connect retries: ${engine}`, () => {
    test('a connect and a pool ride through a restart: refused while down, then starting up, then served', {
      timeout: 60_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      for (const open of [connectFromConfig, createPoolFromConfig]) {
        const port = await closedPort();
        const { options, creds } = await throughFrontEnd(tb, engine, port);
        const backoffs = collect('rdsiam:connect:backoff');
        const signed = collect('rdsiam:token:signed');
        // Down for 700 ms (nothing listens: ECONNREFUSED), then up but starting up for its first 3 logins.
        let front: Awaited<ReturnType<typeof startFakeFrontEnd>> | undefined;
        const up = new Promise<void>((resolve) =>
          setTimeout(async () => {
            front = await startFakeFrontEnd(tb!, engine, (n) => (n < 3 ? STARTING[engine] : { kind: 'relay' }), port);
            resolve();
          }, 700),
        );
        try {
          const db = wrapDb(await open(options));
          assert.deepEqual(await db.one('SELECT 1 AS one'), { one: 1 });
          await db.close();
        } finally {
          backoffs.stop();
          signed.stop();
          await up;
          await front?.close();
        }
        const kinds = backoffs.events.map((e) => e.reason);
        assert.ok(
          kinds.some((r) => /ECONNREFUSED/.test(r)),
          `refused while down: ${kinds.join(' | ')}`,
        );
        assert.equal(kinds.filter((r) => r === (STARTING[engine] as { message: string }).message).length, 3);
        assert.ok(backoffs.events.every((e) => e.kind === 'unavailable' && e.budgetMs === 30_000));
        assert.deepEqual(
          backoffs.events.map((e) => e.attempt),
          backoffs.events.map((_, i) => i + 1),
        );
        assert.equal(front?.accepted, 4, 'three refused logins, then the one that connected');
        assert.ok(creds.calls() <= 1 && signed.events.length <= 1, 'retries reuse the cached token');
      }
    });

    test('a server that stays down ends in RDSIAM_UNAVAILABLE once the budget is spent', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const front = await startFakeFrontEnd(tb, engine, () => STARTING[engine]);
      const { options } = await throughFrontEnd(tb, engine, front.port, { connect_retry_budget_ms: 1_500 });
      try {
        await assert.rejects(connectFromConfig(options), (e: unknown) => {
          assert.ok(e instanceof UnavailableError, String(e));
          assert.equal(e.code, 'RDSIAM_UNAVAILABLE');
          assert.match(e.message, /connect_retry_budget_ms \(1500 ms\)/);
          return true;
        });
        assert.ok(front.accepted >= 3, `${front.accepted} attempts`);
      } finally {
        await front.close();
      }
    });

    test('a query in flight is never retried: its failure reaches the application', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const front = await startFakeFrontEnd(tb, engine, () => ({ kind: 'relay' }));
      const { options } = await throughFrontEnd(tb, engine, front.port);
      const backoffs = collect('rdsiam:connect:backoff');
      try {
        for (const open of [connectFromConfig, createPoolFromConfig]) {
          const db = wrapDb(await open(options));
          await db.one('SELECT 1 AS one');
          const before = front.accepted;
          const running = db.one(SLEEP[engine]);
          setTimeout(() => front.dropAll(), 300);
          await assert.rejects(running, (e: unknown) => !(e instanceof UnavailableError));
          assert.equal(front.accepted, before, 'no new connection was made for the failed query');
          await db.close().catch(() => {});
        }
        assert.equal(backoffs.events.length, 0);
      } finally {
        backoffs.stop();
        await front.close();
      }
    });

    test('a Serverless v2 resume: a connect held past connect_timeout_ms is tried again and gets through', {
      timeout: 60_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      // The first connect starts the "resume"; every connect is held until it is done, 5 s later.
      let resumedAt: number | undefined;
      const front = await startFakeFrontEnd(tb, engine, () => {
        resumedAt ??= Date.now() + 5_000;
        return { kind: 'relay', holdMs: Math.max(0, resumedAt - Date.now()) };
      });
      const backoffs = collect('rdsiam:connect:backoff');
      try {
        for (const open of [connectFromConfig, createPoolFromConfig]) {
          resumedAt = undefined;
          const seen = backoffs.events.length;
          const { options } = await throughFrontEnd(tb, engine, front.port, { connect_timeout_ms: 2_000 });
          const db = wrapDb(await open(options));
          assert.deepEqual(await db.one('SELECT 1 AS one'), { one: 1 });
          await db.close();
          assert.ok(backoffs.events.length > seen, 'at least one attempt timed out while resuming');
        }
        assert.ok(backoffs.events.every((e) => e.kind === 'unavailable'));
        // Without retries, the same resume fails the connect.
        resumedAt = undefined;
        const { options: noRetry } = await throughFrontEnd(tb, engine, front.port, {
          connect_timeout_ms: 2_000,
          connect_retry_budget_ms: 0,
        });
        await assert.rejects(connectFromConfig(noRetry), UnavailableError);
      } finally {
        backoffs.stop();
        await front.close();
      }
    });

    test("RDS Proxy's throttling is retried with backoff until the login gets through", async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const front = await startFakeFrontEnd(tb, engine, (n) => (n < 4 ? THROTTLED[engine] : { kind: 'relay' }));
      const { options } = await throughFrontEnd(tb, engine, front.port);
      const backoffs = collect('rdsiam:connect:backoff');
      const refusedTokens = collect('rdsiam:connect:retry');
      try {
        const db = wrapDb(await connectFromConfig(options));
        await db.close();
      } finally {
        backoffs.stop();
        refusedTokens.stop();
        await front.close();
      }
      assert.deepEqual(
        backoffs.events.map((e) => e.kind),
        ['throttled', 'throttled', 'throttled', 'throttled'],
      );
      assert.equal(refusedTokens.events.length, 0, 'a throttle is not a refused token');
    });

    test('throttling that never ends is RDSIAM_THROTTLED', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const front = await startFakeFrontEnd(tb, engine, () => THROTTLED[engine]);
      const { options } = await throughFrontEnd(tb, engine, front.port, { connect_retry_budget_ms: 1_000 });
      try {
        await assert.rejects(connectFromConfig(options), (e: unknown) => e instanceof ThrottledError);
      } finally {
        await front.close();
      }
    });

    test('300 concurrent connects under iam_max_new_connections_per_s 100, through a throttling proxy, all succeed', {
      timeout: 120_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      // The proxy throttles the first 20 logins; the cap spreads the 300 over about 3 s; every connect must
      // succeed within its retry budget (30 s), which is the bound. The timing, in virtual time, is in
      // test/unit/drivers-connect-retry.test.ts.
      const front = await startFakeFrontEnd(tb, engine, (n) => (n < 20 ? THROTTLED[engine] : { kind: 'relay' }));
      const { options, creds } = await throughFrontEnd(tb, engine, front.port, { iam_max_new_connections_per_s: 100 });
      const backoffs = collect('rdsiam:connect:backoff');
      const signed = collect('rdsiam:token:signed');
      try {
        const results = await Promise.allSettled(
          Array.from({ length: 300 }, async () => {
            const db = wrapDb(await connectFromConfig(options));
            await db.close();
          }),
        );
        assert.deepEqual(
          results.filter((r) => r.status === 'rejected'),
          [],
        );
      } finally {
        backoffs.stop();
        signed.stop();
        await front.close();
      }
      assert.equal(front.refused, 20);
      assert.equal(backoffs.events.filter((e) => e.kind === 'throttled').length, 20);
      // On a loaded machine some TLS handshakes outlast connect_timeout_ms: those are retried too, as unavailable.
      assert.equal(front.accepted, 320 + backoffs.events.filter((e) => e.kind === 'unavailable').length);
      assert.equal(signed.events.length, 1);
      assert.equal(creds.calls(), 1);
    });
  });
}
