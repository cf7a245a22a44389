// The one connect-retry mechanism: which failures of a NEW connection are retried, the backoff, the budget, and
// the per-process pacing of new IAM logins. Time is a manual clock; waits advance it instead of sleeping.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  backoffMs,
  withConnectRetry,
  type ConnectRetryPolicy,
  type RetryTiming,
} from '../../src/drivers/connect-retry.js';
import { isThrottled, transientState } from '../../src/drivers/transient.js';
import { isLoginError } from '../../src/drivers/retry.js';
import { LoginBucket } from '../../src/drivers/login-rate.js';
import { ThrottledError, UnavailableError } from '../../src/errors.js';
import { collect } from '../support/events.js';
import { ManualClock } from '../support/manual-clock.js';
import { VirtualTime } from '../support/virtual-time.js';

function fakeTiming(random = () => 0.5) {
  const clock = new ManualClock();
  const waits: number[] = [];
  return {
    clock,
    waits,
    random,
    sleep: async (ms: number) => {
      waits.push(ms);
      clock.advance(ms);
    },
  };
}

function policy(
  engine: 'postgres' | 'mysql',
  budgetMs: number,
  timing: RetryTiming = fakeTiming(),
): ConnectRetryPolicy {
  return { engine, host: 'db.example', port: 5432, budgetMs, timing };
}

const err = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? 'x')), fields);

const STARTING_UP = err({ code: '57P03', message: 'the database system is starting up' });
const PROXY_PG = err({
  code: '28000',
  message: 'The IAM authentication failed because of too many competing requests.',
});

describe('transientState', () => {
  it('names the transient states of a new connection on both engines', () => {
    const unavailable: [string, object][] = [
      ['postgres', STARTING_UP],
      ['postgres', err({ code: '57P03', message: 'the database system is shutting down' })],
      ['postgres', err({ code: '57P01', message: 'terminating connection due to administrator command' })],
      ['postgres', err({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' })],
      ['postgres', err({ code: 'ECONNRESET', message: 'read ECONNRESET' })],
      ['postgres', err({ message: 'Connection terminated unexpectedly' })],
      ['postgres', err({ message: 'Connection terminated due to connection timeout' })],
      ['postgres', err({ message: 'timeout expired' })],
      ['mysql', err({ code: 'ER_SERVER_SHUTDOWN', errno: 1053, message: 'Server shutdown in progress' })],
      [
        'mysql',
        err({ code: 'PROTOCOL_CONNECTION_LOST', message: 'Connection lost: The server closed the connection.' }),
      ],
      ['mysql', err({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:3306' })],
      ['mysql', err({ code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' })],
    ];
    for (const [engine, e] of unavailable) {
      assert.equal(transientState(engine as 'postgres', e)?.kind, 'unavailable', String(e));
    }
  });

  it("recognises RDS Proxy's throttling texts on both engines, and never as a refused token", () => {
    const throttled: [string, object][] = [
      ['postgres', PROXY_PG],
      ['postgres', err({ code: '53300', message: 'Rate of connection to proxy exceeded 100.' })],
      ['mysql', err({ code: 'ER_CON_COUNT_ERROR', errno: 1040, message: 'IAM authentication rate limit exceeded' })],
      ['mysql', err({ code: 'ER_CON_COUNT_ERROR', errno: 1040, message: 'Connections rate limit exceeded (100)' })],
    ];
    for (const [engine, e] of throttled) {
      assert.equal(transientState(engine as 'postgres', e)?.kind, 'throttled', String(e));
      assert.equal(isThrottled(e), true);
      assert.equal(isLoginError(engine as 'postgres', e), false, 'a throttle is not a token refusal');
    }
  });

  it('leaves everything else to the caller: refusals, bad databases, plain errors', () => {
    assert.equal(transientState('postgres', err({ code: '28P01', message: 'PAM authentication failed' })), undefined);
    assert.equal(transientState('postgres', err({ code: '3D000', message: 'database "x" does not exist' })), undefined);
    assert.equal(transientState('mysql', err({ code: 'ER_ACCESS_DENIED_ERROR', message: 'Access denied' })), undefined);
    assert.equal(
      transientState('mysql', err({ code: 'ER_CON_COUNT_ERROR', message: 'Too many connections' })),
      undefined,
    );
    assert.equal(transientState('postgres', new Error('boom')), undefined);
    assert.equal(transientState('postgres', new Error('timeout exceeded when trying to connect')), undefined);
    assert.equal(transientState('postgres', undefined), undefined);
  });
});

describe('withConnectRetry', () => {
  it('backs off exponentially with jitter, capped at 5 s', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, () => 0)),
      [50, 100, 200, 400, 800, 1600, 2500, 2500],
    );
    assert.deepEqual(
      [1, 2, 8].map((n) => backoffMs(n, () => 0.999_999)),
      [100, 200, 5000],
    );
  });

  it('retries a server that is starting up until it answers, with one event per retry', async () => {
    const timing = fakeTiming();
    const events = collect('rdsiam:connect:backoff');
    let calls = 0;
    const result = await withConnectRetry(policy('postgres', 30_000, timing), async () => {
      if (++calls <= 4) throw STARTING_UP;
      return 'connected';
    });
    events.stop();
    assert.equal(result, 'connected');
    assert.equal(calls, 5);
    assert.deepEqual(timing.waits, [75, 150, 300, 600]);
    assert.deepEqual(
      events.events.map((e) => [e.attempt, e.kind, e.delayMs, e.reason]),
      [1, 2, 3, 4].map((n, i) => [n, 'unavailable', timing.waits[i], 'the database system is starting up']),
    );
  });

  it('gives up with RDSIAM_UNAVAILABLE when the next wait would pass the budget', async () => {
    const timing = fakeTiming();
    let calls = 0;
    await assert.rejects(
      withConnectRetry(policy('mysql', 1_000, timing), async () => {
        calls++;
        throw err({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:3306' });
      }),
      (e: unknown) => {
        assert.ok(e instanceof UnavailableError);
        assert.equal(e.code, 'RDSIAM_UNAVAILABLE');
        assert.match(e.message, /db\.example:5432 was unavailable: 4 connects over 525 ms/);
        assert.match(e.message, /connect_retry_budget_ms \(1000 ms\)/);
        return true;
      },
    );
    assert.equal(calls, 4);
    assert.ok(timing.clock.now() - Date.UTC(2025, 0, 1) <= 1_000);
  });

  it('gives up on throttling with RDSIAM_THROTTLED, naming the knobs', async () => {
    await assert.rejects(
      withConnectRetry(policy('postgres', 500), async () => {
        throw PROXY_PG;
      }),
      (e: unknown) =>
        e instanceof ThrottledError &&
        e.code === 'RDSIAM_THROTTLED' &&
        /too many competing requests/.test(e.message) &&
        /iam_max_new_connections_per_s/.test(e.message),
    );
  });

  it('never retries other failures, and a budget of 0 retries nothing', async () => {
    let calls = 0;
    const refused = err({ code: '28P01', message: 'PAM authentication failed' });
    await assert.rejects(
      withConnectRetry(policy('postgres', 30_000), async () => {
        calls++;
        throw refused;
      }),
      (e) => e === refused,
    );
    await assert.rejects(
      withConnectRetry(policy('postgres', 0), async () => {
        calls++;
        throw STARTING_UP;
      }),
      UnavailableError,
    );
    assert.equal(calls, 2);
  });
});

describe('LoginBucket', () => {
  it('admits a burst of `rate`, then one login every 1/rate s, in order', async () => {
    const timing = fakeTiming();
    const bucket = new LoginBucket(10, timing);
    const start = timing.clock.now();
    const admitted: number[] = [];
    // Sequential takes: each resolves when its turn comes (the fake sleep advances the clock).
    for (let i = 0; i < 30; i++) {
      await bucket.take();
      admitted.push(timing.clock.now() - start);
    }
    assert.deepEqual(admitted.slice(0, 10), Array(10).fill(0));
    for (let i = 10; i < 30; i++) assert.equal(admitted[i], (i - 9) * 100, `login ${i}`);
    // Over any second after the burst, at most 10 logins start.
    const inFirstTwoSeconds = admitted.filter((t) => t < 2000).length;
    assert.equal(inFirstTwoSeconds, 10 + 19);
  });

  it('reserves turns for concurrent callers at 1/rate s apart', async () => {
    const clock = new ManualClock();
    const waits: number[] = [];
    const bucket = new LoginBucket(100, { clock, sleep: async (ms) => void waits.push(ms) });
    await Promise.all(Array.from({ length: 300 }, () => bucket.take()));
    assert.equal(waits.length, 200);
    assert.deepEqual(
      waits.slice(0, 3).concat(waits.slice(-1)),
      [10, 20, 30, 2000],
      'the 300th login waits 2 s: 100 at once, then 100 a second',
    );
  });
});

describe('a burst of 300 concurrent connects through a throttling RDS Proxy, in virtual time', () => {
  // RDS Proxy as modelled here: at most 200 new IAM logins in any second (what RDS advises), the rest throttled
  // with its PostgreSQL text. Each attempt takes its turn from the bucket first, as pacedLogins does per token.
  async function burst(rate: number | undefined) {
    const time = new VirtualTime();
    const start = time.now();
    const timing = { clock: time, random: () => 0.5, sleep: time.sleep };
    const bucket = rate === undefined ? undefined : new LoginBucket(rate, timing);
    const admitted: number[] = [];
    let throttled = 0;
    const events = collect('rdsiam:connect:backoff');
    try {
      const doneAt = await time.run(
        Promise.all(
          Array.from({ length: 300 }, () =>
            withConnectRetry(policy('postgres', 30_000, timing), async () => {
              await bucket?.take();
              const now = time.now();
              if (admitted.filter((at) => at > now - 1_000).length >= 200) {
                throttled++;
                throw PROXY_PG;
              }
              admitted.push(now);
              return now - start;
            }),
          ),
        ),
      );
      return { doneAt, throttled, retries: events.events };
    } finally {
      events.stop();
    }
  }

  it('uncapped: the 100 over the limit are throttled, back off together, and all get through within 1.2 s', async () => {
    const { doneAt, throttled, retries } = await burst(undefined);
    assert.equal(doneAt.length, 300);
    // 200 at once; the other 100 retry after 75, 225, 525 ms (still within the second: throttled again) and 1125 ms.
    assert.equal(doneAt.filter((t) => t === 0).length, 200);
    assert.deepEqual([...new Set(doneAt)], [0, 1_125]);
    assert.equal(throttled, 400);
    assert.equal(retries.length, throttled, 'one event per retry');
    assert.ok(retries.every((e) => e.kind === 'throttled' && e.elapsedMs + e.delayMs <= e.budgetMs));
  });

  it('capped by iam_max_new_connections_per_s 100: nothing throttled, the last through at 2 s', async () => {
    const { doneAt, throttled, retries } = await burst(100);
    assert.equal(doneAt.length, 300);
    assert.equal(throttled, 0);
    assert.equal(retries.length, 0);
    assert.equal(Math.max(...doneAt), 2_000, '100 at once, then 100 a second');
  });
});
