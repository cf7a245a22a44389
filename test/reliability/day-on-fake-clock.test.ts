// A day in production on a fake clock: 24 simulated hours of rotating credentials, token lifetimes, global writer
// moves and new connections, against the test bed, in well under two minutes.
//
// The ManualClock drives rdsiam (token cache, credential renewal, writer-region TTL). What it cannot reach follows
// it: `Date` is mocked to the same time, so the SDK signs tokens (X-Amz-Date) and judges credential expiry on the
// fake clock, and the loopback credential sources date their answers by it; the verifier judges this file's keys
// at the fake time (KeyPolicy.clockOffsetMs). Timers stay real: pools and sockets run as usual.
import assert from 'node:assert/strict';
import { channel } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mock, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Pool as MysqlPool } from 'mysql2/promise';
import type { Pool as PgPool } from 'pg';
import { createMysqlPool, createPgPool, RDSIAM_CHANNELS, tokenProviderFor } from '../../src/index.js';
import { loadConfig } from '../../src/config/load.js';
import type { MemoryTokenCache } from '../../src/token/cache.js';
import { runtimeFor } from '../../src/token/runtime.js';
import { startContainerEndpoint } from '../support/container-endpoint.js';
import { countingCredentials, processProfile } from '../support/credentials.js';
import { NO_AWS_ENV, withEnv } from '../support/env.js';
import { fakeRdsApiForThisFile, globalDatabase } from '../support/fake-rds-api.js';
import { ManualClock } from '../support/manual-clock.js';
import { testbedOptions } from '../support/testbed-config.js';
import { requireTestbed, type TestCredentials } from '../support/testbed.js';
import { randomCredentials } from '../testbed/keys.js';
import type { KeyPolicy } from '../testbed/verifier/config.js';

const api = fakeRdsApiForThisFile();

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const HOURS = 24;
/** How often the token engine is asked for a token (both credential sources). */
const STEP = 30 * SECOND;
/** How often each pool opens a new physical connection. */
const CONNECT_EVERY = 5 * MINUTE;
/**
 * The writer moves every 4 h 10 min, from 0:30: each move falls 10 minutes after a writer-region lookup
 * (iam_global_ttl_s 3600, counted from the last lookup), so the cached region is wrong until a refusal heals it.
 */
const WRITER_MOVES_EVERY = 4 * HOUR + 10 * MINUTE;
const WRITER_MOVES_AT = 30 * MINUTE;
const IAM_EXPIRATION_S = 870;
/** The heap may grow by at most this from the end of hour 2 to the end of hour 24 (after GC). */
const HEAP_BOUND_BYTES = 8 * 1024 * 1024;

/** The real wall time: `Date` is mocked here. */
const realNow = () => performance.timeOrigin + performance.now();

/** A garbage collection on demand, without starting node with --expose-gc. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** What a served token says about itself: who signed it, when. */
function tokenFacts(token: string): { accessKeyId: string; signedAt: number } {
  const params = new URLSearchParams(token.slice(token.indexOf('/?') + 2));
  const date = params.get('X-Amz-Date')!;
  const signedAt = Date.UTC(
    Number(date.slice(0, 4)),
    Number(date.slice(4, 6)) - 1,
    Number(date.slice(6, 8)),
    Number(date.slice(9, 11)),
    Number(date.slice(11, 13)),
    Number(date.slice(13, 15)),
  );
  return { accessKeyId: params.get('X-Amz-Credential')!.split('/')[0]!, signedAt };
}

/** Resource counts that must stay flat hour after hour. */
function resources(cache: MemoryTokenCache) {
  const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const listeners = process.eventNames().reduce((n, name) => n + process.listenerCount(name), 0);
  const subscribed = RDSIAM_CHANNELS.filter((name) => channel(name).hasSubscribers).join(',');
  return { cacheSize: cache.size, timers, listeners, subscribed, heap: process.memoryUsage().heapUsed };
}

test('24 simulated hours: rotations picked up early, every token valid, writer moves healed, resources flat', {
  timeout: 240_000,
}, async (t) => {
  const tb = await requireTestbed(t);
  if (!tb) return;
  const gc = collectGarbage();
  const start = Math.floor(realNow() / SECOND) * SECOND;
  const clock = new ManualClock(start);
  mock.timers.enable({ apis: ['Date'], now: start });

  // Every key this file signs with, with its policy, so the verifier can be told the fake time.
  const policies = new Map<string, KeyPolicy>();
  const expiresAt = new Map<string, number>();
  const register = async (key: TestCredentials, extra: Omit<KeyPolicy, keyof TestCredentials> = {}) => {
    const policy: KeyPolicy = { ...key, maxTokenAgeSeconds: IAM_EXPIRATION_S, ...extra };
    policies.set(key.accessKeyId, policy);
    await tb.verifier.addKey({ ...policy, clockOffsetMs: clock.now() - realNow() });
  };
  const tellVerifier = (accessKeyId: string) =>
    tb.verifier.addKey({ ...policies.get(accessKeyId)!, clockOffsetMs: clock.now() - realNow() });

  // The container endpoint: each fetch hands out new session credentials, valid for an hour.
  const containerKeys = Array.from({ length: 48 }, () => randomCredentials('temporary'));
  for (const key of containerKeys) await register(key);
  let handedOut = 0;
  const container = await startContainerEndpoint(() => {
    const key = containerKeys[handedOut++]!;
    expiresAt.set(key.accessKeyId, Date.now() + HOUR);
    return key;
  });

  // The credential_process: its issuer rotates late, handing out key k+1 only in the last 5 minutes of key k (which
  // expires at hour k+1), so rdsiam re-asks as the end nears rather than once, 15 minutes ahead.
  const processKeys = Array.from({ length: HOURS + 2 }, () => randomCredentials('temporary'));
  for (const key of processKeys) await register(key);
  const profileEnv = processProfile('day', 'cat "$(dirname "$0")/current.json"\n');
  const currentJson = join(profileEnv.AWS_CONFIG_FILE!, '..', 'current.json');
  let issuedIndex = -1;
  const issueProcessKey = () => {
    const k = Math.floor((clock.now() - start + 5 * MINUTE) / HOUR);
    if (k === issuedIndex) return;
    issuedIndex = k;
    const key = processKeys[k]!;
    const expiration = start + (k + 1) * HOUR;
    expiresAt.set(key.accessKeyId, expiration);
    const body = {
      Version: 1,
      AccessKeyId: key.accessKeyId,
      SecretAccessKey: key.secretAccessKey,
      SessionToken: key.sessionToken,
      Expiration: new Date(expiration).toISOString(),
    };
    writeFileSync(currentJson, JSON.stringify(body));
  };
  issueProcessKey();
  const env = { ...NO_AWS_ENV, ...profileEnv, AWS_CONTAINER_CREDENTIALS_FULL_URI: container.url };
  try {
    await withEnv(env, async () => {
      // The global database: a long-term key of its own, whose logins must name the writer's region.
      const globalKey = await tb.newKey();
      let writerRegion = 'us-west-2';
      const regions = ['us-west-2', 'eu-west-1', 'us-east-1'];
      const moveWriter = async (region: string) => {
        writerRegion = region;
        api.clusters = [globalDatabase('testbed', tb.postgres.globalEndpoint, region)];
        await register(globalKey, { region });
      };
      await moveWriter(writerRegion);

      const common = { iam_expiration: IAM_EXPIRATION_S, pool: { max: 2 } };
      const noInjected = async () => assert.fail('the SDK provider is used');
      const withoutInjected = (o: ReturnType<typeof testbedOptions>) => {
        const { credentials: _sdk, ...rest } = o;
        return { ...rest, clock };
      };
      const pgOptions = withoutInjected(
        testbedOptions(tb, 'postgres', noInjected, { ...common, aws_credentials_source: 'container' }),
      );
      const mysqlOptions = withoutInjected(
        testbedOptions(tb, 'mysql', noInjected, { ...common, aws_credentials_source: 'process', aws_profile: 'day' }),
      );
      const globalOptions = {
        ...testbedOptions(tb, 'postgres', countingCredentials(globalKey).provider, {
          ...common,
          iam_host: tb.postgres.globalEndpoint,
          iam_global_region: 'us-east-1',
          iam_global_ttl_s: 3600,
          ssl: { ca: tb.caPem, servername: tb.postgres.endpoint },
        }),
        clock,
      };
      // The token engine the pools use (same config, same clock: the same cache and credentials), asked directly.
      const engines = {
        container: tokenProviderFor(await loadConfig(pgOptions), { clock }),
        process: tokenProviderFor(await loadConfig(mysqlOptions), { clock }),
      };
      const pools: { pg: PgPool; mysql: MysqlPool; global: PgPool } = {
        pg: await createPgPool(pgOptions),
        mysql: await createMysqlPool(mysqlOptions),
        global: await createPgPool(globalOptions),
      };
      const cache = runtimeFor(clock).cache as MemoryTokenCache;

      const served = {
        container: { keys: new Set<string>(), tokens: new Set<string>(), minLeftMs: Infinity },
        process: { keys: new Set<string>(), tokens: new Set<string>(), minLeftMs: Infinity },
      };
      const connects = { pg: 0, mysql: 0, global: 0 };
      const refusalsPerMove: number[] = [];
      const hourly: ReturnType<typeof resources>[] = [];
      let globalSeen = 0;
      // The keys the two sources' tokens are signed with at this step.
      const signingKeys = new Set<string>();

      /** A new physical connection on each pool, checked with a query, then closed. */
      const connectEach = async () => {
        await Promise.all([...signingKeys, globalKey.accessKeyId].map(tellVerifier));
        const pgClient = await pools.pg.connect();
        await pgClient.query('SELECT 1');
        pgClient.release(true);
        const mysqlConn = await pools.mysql.getConnection();
        await mysqlConn.query('SELECT 1');
        mysqlConn.destroy();
        const globalClient = await pools.global.connect();
        await globalClient.query('SELECT 1');
        globalClient.release(true);
        connects.pg++;
        connects.mysql++;
        connects.global++;
      };

      try {
        for (let elapsed = 0; elapsed <= HOURS * HOUR; elapsed += STEP) {
          if (elapsed > 0) {
            clock.advance(STEP);
            mock.timers.setTime(clock.now());
          }
          issueProcessKey();
          if (elapsed % WRITER_MOVES_EVERY === WRITER_MOVES_AT) {
            const logins = await tb.verifier.logins({ accessKeyId: globalKey.accessKeyId });
            refusalsPerMove.push(logins.slice(globalSeen).filter((l) => l.verdict === 'region').length);
            globalSeen = logins.length;
            await moveWriter(regions[(regions.indexOf(writerRegion) + 1) % regions.length]!);
          }

          signingKeys.clear();
          for (const name of ['container', 'process'] as const) {
            const token = await engines[name].get();
            const { accessKeyId, signedAt } = tokenFacts(token.value.reveal());
            const leftMs = expiresAt.get(accessKeyId)! - clock.now();
            signingKeys.add(accessKeyId);
            served[name].keys.add(accessKeyId);
            served[name].tokens.add(token.fingerprint);
            served[name].minLeftMs = Math.min(served[name].minLeftMs, leftMs);
            assert.ok(leftMs > 30 * SECOND, `${name}: a token served ${leftMs} ms before its credentials expire`);
            if (token.fromCache) {
              assert.ok(
                clock.now() - signedAt < IAM_EXPIRATION_S * SECOND,
                `${name}: a cached token served ${(clock.now() - signedAt) / SECOND} s after signing`,
              );
            }
          }
          if (elapsed % CONNECT_EVERY === 0) await connectEach();
          if (elapsed > 0 && elapsed % HOUR === 0) {
            gc();
            hourly.push(resources(cache));
          }
        }
        const logins = await tb.verifier.logins({ accessKeyId: globalKey.accessKeyId });
        refusalsPerMove.push(logins.slice(globalSeen).filter((l) => l.verdict === 'region').length);
      } finally {
        await Promise.all([pools.pg.end(), pools.mysql.end(), pools.global.end()]);
      }

      t.diagnostic(
        JSON.stringify({
          connects,
          keys: { container: served.container.keys.size, process: served.process.keys.size },
          tokens: { container: served.container.tokens.size, process: served.process.tokens.size },
          minLeftS: { container: served.container.minLeftMs / SECOND, process: served.process.minLeftMs / SECOND },
        }),
      );
      // Rotation: the container's credentials renewed 15 minutes ahead, the late issuer's before they expired.
      assert.ok(served.container.minLeftMs >= 15 * MINUTE, `container: ${served.container.minLeftMs} ms left at worst`);
      assert.ok(served.container.keys.size >= 30, `container keys used: ${served.container.keys.size}`);
      assert.equal(served.process.keys.size, HOURS + 1, 'every key the process issued, one per hour');
      // Token lifetimes: ~100 lifetimes of 870 s in a day, each a new signing.
      for (const name of ['container', 'process'] as const)
        assert.ok(served[name].tokens.size >= 99, `${name}: ${served[name].tokens.size} tokens in 24 h`);

      // Every new physical connection logged in with a valid token, judged at the fake time.
      const verdicts = async (keys: TestCredentials[]) =>
        (await Promise.all(keys.map((k) => tb.verifier.logins({ accessKeyId: k.accessKeyId }))))
          .flat()
          .map((l) => l.verdict);
      const pgVerdicts = await verdicts(containerKeys);
      const mysqlVerdicts = await verdicts(processKeys);
      assert.deepEqual([...new Set(pgVerdicts)], ['ok']);
      assert.deepEqual([...new Set(mysqlVerdicts)], ['ok']);
      assert.equal(pgVerdicts.length, connects.pg);
      assert.equal(mysqlVerdicts.length, connects.mysql);
      assert.equal(connects.pg, (HOURS * HOUR) / CONNECT_EVERY + 1);

      // Global writer: each move healed after exactly one refusal (the cached region's), none before the first move.
      assert.deepEqual(refusalsPerMove, [0, 1, 1, 1, 1, 1, 1], 'region refusals before the first move, then per move');
      const globalVerdicts = (await verdicts([globalKey])).filter((v) => v !== 'region');
      assert.deepEqual([...new Set(globalVerdicts)], ['ok']);
      assert.equal(globalVerdicts.length, connects.global);

      // Resources: flat from hour to hour.
      t.diagnostic(JSON.stringify(hourly.map(({ heap, ...r }) => ({ ...r, heapMB: +(heap / 2 ** 20).toFixed(1) }))));
      const [first, second] = hourly;
      for (const [i, r] of hourly.entries()) {
        assert.ok(r.cacheSize <= 6, `hour ${i + 1}: ${r.cacheSize} cached tokens for 3 targets`);
        assert.ok(r.timers <= first!.timers + 2, `hour ${i + 1}: ${r.timers} timers, ${first!.timers} after hour 1`);
        assert.equal(r.listeners, first!.listeners, `hour ${i + 1}: process listeners`);
        assert.equal(r.subscribed, first!.subscribed, `hour ${i + 1}: diagnostics channels with subscribers`);
      }
      const growth = hourly.at(-1)!.heap - second!.heap;
      assert.ok(growth < HEAP_BOUND_BYTES, `heap grew ${(growth / 2 ** 20).toFixed(1)} MB from hour 2 to hour 24`);
    });
  } finally {
    mock.timers.reset();
    await container.close();
  }
});
