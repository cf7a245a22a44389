// Connecting through an Aurora global database writer endpoint: the writer region comes from a loopback fake of
// DescribeGlobalClusters (AWS_ENDPOINT_URL_RDS), and the test bed's verifier accepts a token only when it is signed
// for the region the test's key says the writer is in. Moving both moves the writer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Client } from 'pg';
import { connectPg, createPgPool } from '../../src/connect.js';
import { fakeRdsApiForThisFile, globalDatabase } from '../support/fake-rds-api.js';
import { ManualClock } from '../support/manual-clock.js';
import { countingCredentials } from '../support/credentials.js';
import { collect } from '../support/events.js';
import { testbedOptions } from '../support/testbed-config.js';
import { requireTestbed, type Testbed, type TestCredentials } from '../support/testbed.js';

const api = fakeRdsApiForThisFile();

/** Makes `region` the writer's, for the fake API and for the verifier (this key's logins only). */
async function moveWriter(tb: Testbed, key: TestCredentials, region: string): Promise<void> {
  api.clusters = [globalDatabase('testbed', tb.postgres.globalEndpoint, region)];
  await tb.verifier.addKey({ ...key, region });
}

/**
 * Options that dial the test bed's PostgreSQL, sign for its global writer name and check the certificate against its
 * cluster name (the certificate does not name the global endpoint). A clock of its own gives each test its own token
 * cache and writer-region store; it stands still at now, so tokens are dated now.
 */
function globalOptions(tb: Testbed, key: TestCredentials, extra: Record<string, unknown> = {}) {
  const credentials = countingCredentials(key);
  const clock = new ManualClock(Date.now());
  const options = testbedOptions(tb, 'postgres', credentials.provider, {
    iam_host: tb.postgres.globalEndpoint,
    iam_global_region: 'us-east-1',
    iam_global_ttl_s: 60,
    ssl: { ca: tb.caPem, servername: tb.postgres.endpoint },
    ...extra,
  });
  return { options: { ...options, clock }, clock };
}

async function query(client: Client): Promise<void> {
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}

describe('Aurora global database writer endpoint', () => {
  test('signs for the writer region DescribeGlobalClusters reports, with the token credentials, in iam_global_region', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    await moveWriter(tb, key, 'us-west-2');
    const before = api.calls.length;
    const signed = collect('rdsiam:token:signed');
    try {
      await query(await connectPg(globalOptions(tb, key).options));
    } finally {
      signed.stop();
    }
    const calls = api.calls.slice(before);
    assert.deepEqual(
      calls.map((c) => [c.action, c.params['GlobalClusterIdentifier'], c.accessKeyId, c.signingRegion]),
      [['DescribeGlobalClusters', 'testbed', key.accessKeyId, 'us-east-1']],
    );
    const mine = signed.events.filter((e) => e.host === tb.postgres.globalEndpoint);
    assert.deepEqual(
      mine.map((e) => e.region),
      ['us-west-2'],
    );
    // The verifier took the token only because its credential scope names us-west-2.
    assert.deepEqual(
      (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).map((l) => l.verdict),
      ['ok'],
    );
  });

  test('iam_region wins: no lookup', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    await moveWriter(tb, key, 'eu-west-1');
    const before = api.calls.length;
    await query(await connectPg(globalOptions(tb, key, { iam_region: 'eu-west-1' }).options));
    assert.equal(api.calls.length, before);
  });

  test('ten concurrent cold connects make one lookup and one signing', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    await moveWriter(tb, key, 'us-west-2');
    const before = api.calls.length;
    const { options } = globalOptions(tb, key);
    const signed = collect('rdsiam:token:signed');
    try {
      const clients = await Promise.all(Array.from({ length: 10 }, () => connectPg(options)));
      await Promise.all(clients.map(query));
    } finally {
      signed.stop();
    }
    assert.equal(api.calls.length - before, 1);
    assert.equal(signed.events.filter((e) => e.host === tb.postgres.globalEndpoint).length, 1);
    assert.equal((await tb.verifier.logins({ accessKeyId: key.accessKeyId })).length, 10);
  });

  test('the writer region is looked up again once iam_global_ttl_s has passed', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    await moveWriter(tb, key, 'us-west-2');
    const before = api.calls.length;
    const { options, clock } = globalOptions(tb, key);
    await query(await connectPg(options));
    clock.advance(59_999);
    await query(await connectPg(options));
    assert.equal(api.calls.length - before, 1);
    clock.advance(1);
    await query(await connectPg(options));
    assert.equal(api.calls.length - before, 2);
    assert.deepEqual(
      (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).map((l) => l.verdict),
      ['ok', 'ok', 'ok'],
    );
  });

  test('a writer that moves region is found after one refusal: a pool heals with no restart, with one lookup', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    await moveWriter(tb, key, 'us-west-2');
    const { options } = globalOptions(tb, key, { pool: { max: 5, idle_timeout_ms: 0 } });
    const pool = await createPgPool(options);
    const retries = collect('rdsiam:connect:retry');
    try {
      await pool.query('SELECT 1');
      const before = api.calls.length;
      // A cross-region failover: within the TTL the cached region (and token) is now wrong.
      await moveWriter(tb, key, 'eu-west-1');
      // Five new physical connections at once, each first refused with its cached us-west-2 token.
      const settled = await Promise.allSettled(Array.from({ length: 5 }, () => pool.connect()));
      for (const s of settled) if (s.status === 'fulfilled') s.value.release();
      assert.deepEqual(
        settled.map((s) => (s.status === 'fulfilled' ? 'connected' : String(s.reason))),
        Array(5).fill('connected'),
      );
      assert.equal(api.calls.length - before, 1, 'however many refusals, one lookup');
      assert.ok(retries.events.length >= 1);
      assert.ok(
        retries.events.every((e) => e.region === 'us-west-2'),
        'the retry event names the refused region',
      );
      await pool.query('SELECT 1');
    } finally {
      retries.stop();
      await pool.end();
    }
    const verdicts = (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).map((l) => l.verdict);
    // The first login (us-west-2); then each new connection that sent the cached us-west-2 token was refused for its
    // region once and retried once (those that asked for a token after the lookup went straight to eu-west-1).
    const refusals = verdicts.filter((v) => v === 'region').length;
    assert.equal(verdicts[0], 'ok');
    assert.equal(refusals, retries.events.length);
    assert.deepEqual([...new Set(verdicts)].sort(), ['ok', 'region']);
  });
});
