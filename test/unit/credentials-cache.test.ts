// How SharedCredentials caches, renews, coalesces and memoises, with an injected provider and clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CredentialsError } from '../../src/errors.js';
import { SharedCredentials } from '../../src/token/credentials.js';
import { runtimeFor } from '../../src/token/runtime.js';
import type { AwsCredentials } from '../../src/aws-credentials.js';
import { credentialSettings } from '../support/credentials.js';
import { collect } from '../support/events.js';
import { ManualClock } from '../support/manual-clock.js';

const SETTINGS = credentialSettings('chain', { timeoutMs: 1000 });
const MINUTE = 60_000;

/** A provider handing out keys `AKIA...1`, `AKIA...2`, ... that expire `lifetimeMs` after each fetch. */
function rotating(
  clock: ManualClock,
  lifetimeMs: number | null,
): { provider: () => Promise<AwsCredentials>; fetches: () => number; fail: (on: boolean) => void } {
  let n = 0;
  let failing = false;
  return {
    provider: async () => {
      if (failing) throw new Error('metadata service unavailable');
      n++;
      return {
        accessKeyId: `AKIAROTATING${n}`,
        secretAccessKey: 'not-a-real-secret',
        ...(lifetimeMs === null ? {} : { expiration: new Date(clock.now() + lifetimeMs) }),
      };
    },
    fetches: () => n,
    fail: (on) => void (failing = on),
  };
}

describe('SharedCredentials: caching', () => {
  it('coalesces concurrent fetches into one', async () => {
    const clock = new ManualClock();
    const source = rotating(clock, 60 * MINUTE);
    const shared = new SharedCredentials(SETTINGS, { clock, credentials: source.provider });
    const all = await Promise.all(Array.from({ length: 100 }, () => shared.current()));
    assert.equal(source.fetches(), 1);
    assert.ok(all.every((c) => c.credentials.accessKeyId === 'AKIAROTATING1'));
  });

  it('keeps credentials until 15 minutes before they expire, then renews', async () => {
    const clock = new ManualClock();
    const source = rotating(clock, 60 * MINUTE);
    const shared = new SharedCredentials(SETTINGS, { clock, credentials: source.provider });
    const first = await shared.current();
    clock.advance(45 * MINUTE - 1);
    assert.equal((await shared.current()).identity, first.identity);
    clock.advance(1);
    const renewed = await shared.current();
    assert.notEqual(renewed.identity, first.identity);
    assert.equal(source.fetches(), 2);
  });

  it('renews short-lived credentials at half their life', async () => {
    const clock = new ManualClock();
    const source = rotating(clock, 10 * MINUTE);
    const shared = new SharedCredentials(SETTINGS, { clock, credentials: source.provider });
    await shared.current();
    clock.advance(5 * MINUTE - 1);
    await shared.current();
    assert.equal(source.fetches(), 1);
    clock.advance(1);
    await shared.current();
    assert.equal(source.fetches(), 2);
  });

  it('keeps long-term keys (no expiration) for good', async () => {
    const clock = new ManualClock();
    const source = rotating(clock, null);
    const shared = new SharedCredentials(SETTINGS, { clock, credentials: source.provider });
    await shared.current();
    clock.advance(365 * 24 * 60 * MINUTE);
    assert.equal((await shared.current()).expiresAt, null);
    assert.equal(source.fetches(), 1);
  });

  it('ignores forceRefresh from SDK signers: renewal is decided in one place', async () => {
    const clock = new ManualClock();
    const source = rotating(clock, 20 * MINUTE);
    const shared = new SharedCredentials(SETTINGS, { clock, credentials: source.provider });
    const asSdk = shared.provider as (options?: { forceRefresh?: boolean }) => Promise<AwsCredentials>;
    await asSdk();
    await asSdk({ forceRefresh: true });
    assert.equal(source.fetches(), 1);
  });
});

describe('SharedCredentials: failures', () => {
  it('serves still-valid credentials when renewal fails, and waits before trying again', async () => {
    const clock = new ManualClock();
    const source = rotating(clock, 60 * MINUTE);
    const shared = new SharedCredentials(SETTINGS, { clock, credentials: source.provider });
    const { events, stop } = collect('rdsiam:credentials:failed');
    try {
      const first = await shared.current();
      clock.advance(50 * MINUTE);
      source.fail(true);
      assert.equal((await shared.current()).identity, first.identity);
      assert.equal(events.length, 1);
      assert.equal(events[0]?.servedStale, true);
      assert.match(events[0]?.error ?? '', /metadata service unavailable/);
      await shared.current();
      assert.equal(events.length, 1, 'no renewal attempt within 10 s of a failure');
      source.fail(false);
      clock.advance(10_000);
      assert.notEqual((await shared.current()).identity, first.identity);
    } finally {
      stop();
    }
  });

  it('fails once the held credentials have expired', async () => {
    const clock = new ManualClock();
    const source = rotating(clock, 60 * MINUTE);
    const shared = new SharedCredentials(SETTINGS, { clock, credentials: source.provider });
    await shared.current();
    clock.advance(60 * MINUTE);
    source.fail(true);
    await assert.rejects(
      shared.current(),
      (err) => err instanceof CredentialsError && /source chain/.test(err.message),
    );
  });

  it('rejects every concurrent caller of a failed fetch, then tries again on the next call', async () => {
    const clock = new ManualClock();
    const source = rotating(clock, null);
    source.fail(true);
    const shared = new SharedCredentials(SETTINGS, { clock, credentials: source.provider });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => shared.current()));
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof CredentialsError));
    source.fail(false);
    assert.equal((await shared.current()).credentials.accessKeyId, 'AKIAROTATING1');
  });

  it('refuses credentials without an access key id', async () => {
    const shared = new SharedCredentials(SETTINGS, {
      clock: new ManualClock(),
      credentials: async () => ({ accessKeyId: '', secretAccessKey: 'x' }),
    });
    await assert.rejects(shared.current(), /no access key id/);
  });

  it('cuts off a provider that never answers', async () => {
    const shared = new SharedCredentials(
      { ...SETTINGS, source: 'instance', timeoutMs: 50 },
      { clock: new ManualClock(), credentials: () => new Promise<never>(() => {}) },
    );
    await assert.rejects(
      shared.current(),
      (err) => err instanceof CredentialsError && /timed out.*50 ms/.test(err.message),
    );
  });
});

describe('TokenRuntime.credentials: memoised by settings', () => {
  it('returns one instance per equal settings, another for different ones', () => {
    const clock = new ManualClock();
    const a = runtimeFor(clock).credentials({ ...SETTINGS });
    assert.equal(runtimeFor(clock).credentials({ ...SETTINGS }), a);
    assert.notEqual(runtimeFor(clock).credentials({ ...SETTINGS, profile: 'other' }), a);
    assert.notEqual(runtimeFor(clock).credentials({ ...SETTINGS, roleArn: 'arn:aws:iam::123456789012:role/db' }), a);
    assert.notEqual(runtimeFor(clock).credentials({ ...SETTINGS, region: 'eu-west-1' }), a);
  });

  it('keeps injected providers apart from each other', () => {
    const clock = new ManualClock();
    const p1 = async (): Promise<AwsCredentials> => ({ accessKeyId: 'A', secretAccessKey: 'a' });
    const p2 = async (): Promise<AwsCredentials> => ({ accessKeyId: 'B', secretAccessKey: 'b' });
    const s1 = runtimeFor(clock).credentials(SETTINGS, p1);
    assert.equal(runtimeFor(clock).credentials(SETTINGS, p1), s1);
    assert.notEqual(runtimeFor(clock).credentials(SETTINGS, p2), s1);
  });
});
