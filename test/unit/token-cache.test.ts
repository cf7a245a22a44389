import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { MemoryTokenCache } from '../../src/token/cache.js';
import type { Signing } from '../../src/token/cache.js';
import { ManualClock } from '../support/manual-clock.js';

const TTL = 840_000;

/** A signer that counts its signings and hands out `tok-1`, `tok-2`, ... */
function countingSigner(notAfter: number | null = null): { sign: () => Promise<Signing>; count: () => number } {
  let n = 0;
  return {
    sign: async () => ({ token: `tok-${++n}`, notAfter }),
    count: () => n,
  };
}

describe('MemoryTokenCache: expiry', () => {
  it('serves a token for the ttl counted from when signing started, then signs again', async () => {
    const clock = new ManualClock();
    const cache = new MemoryTokenCache({ clock });
    const signer = countingSigner();
    const first = await cache.get('k', TTL, signer.sign);
    assert.equal(first.fromCache, false);
    assert.equal(first.token.signedAt, clock.now());
    clock.advance(TTL - 1);
    const hit = await cache.get('k', TTL, signer.sign);
    assert.deepEqual([hit.fromCache, hit.token.value.reveal()], [true, 'tok-1']);
    clock.advance(1);
    const renewed = await cache.get('k', TTL, signer.sign);
    assert.deepEqual([renewed.fromCache, renewed.token.value.reveal(), signer.count()], [false, 'tok-2', 2]);
  });

  it('counts from the start of a slow signing, not its end', async () => {
    const clock = new ManualClock();
    const cache = new MemoryTokenCache({ clock });
    const started = clock.now();
    await cache.get('k', TTL, async () => {
      clock.advance(5_000);
      return { token: 'slow', notAfter: null };
    });
    clock.advance(TTL - 5_000);
    assert.equal((await cache.get('k', TTL, countingSigner().sign)).fromCache, false);
    assert.equal(clock.now() - started, TTL);
  });

  it('never serves a token past its notAfter (credential expiry)', async () => {
    const clock = new ManualClock();
    const cache = new MemoryTokenCache({ clock });
    const signer = countingSigner(clock.now() + 60_000);
    await cache.get('k', TTL, signer.sign);
    clock.advance(59_999);
    assert.equal((await cache.get('k', TTL, signer.sign)).fromCache, true);
    clock.advance(1);
    assert.equal((await cache.get('k', TTL, signer.sign)).fromCache, false);
  });

  it('honours a shorter ttl asked for by a later caller', async () => {
    const clock = new ManualClock();
    const cache = new MemoryTokenCache({ clock });
    const signer = countingSigner();
    await cache.get('k', TTL, signer.sign);
    clock.advance(120_000);
    assert.equal((await cache.get('k', 60_000, signer.sign)).fromCache, false);
  });
});

describe('MemoryTokenCache: single flight', () => {
  it('makes exactly one signing for 500 concurrent calls on a cold key', async () => {
    const cache = new MemoryTokenCache({ clock: new ManualClock() });
    let signings = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sign = async (): Promise<Signing> => {
      signings++;
      await gate;
      return { token: 'shared', notAfter: null };
    };
    const calls = Array.from({ length: 500 }, () => cache.get('k', TTL, sign));
    release();
    const results = await Promise.all(calls);
    assert.equal(signings, 1);
    assert.ok(results.every((r) => r.token.value.reveal() === 'shared' && !r.fromCache));
    assert.equal((await cache.get('k', TTL, sign)).fromCache, true);
  });

  it('rejects every waiter of a failed signing and caches nothing', async () => {
    const cache = new MemoryTokenCache({ clock: new ManualClock() });
    let signings = 0;
    const failing = async (): Promise<Signing> => {
      signings++;
      throw new Error('no credentials');
    };
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => cache.get('k', TTL, failing)));
    assert.equal(signings, 1);
    assert.ok(results.every((r) => r.status === 'rejected' && /no credentials/.test(String(r.reason))));
    assert.equal(cache.size, 0);
    const next = await cache.get('k', TTL, countingSigner().sign);
    assert.deepEqual([next.fromCache, next.token.value.reveal()], [false, 'tok-1']);
  });

  it('keeps keys apart', async () => {
    const cache = new MemoryTokenCache({ clock: new ManualClock() });
    const signer = countingSigner();
    const [a, b] = await Promise.all([cache.get('a', TTL, signer.sign), cache.get('b', TTL, signer.sign)]);
    assert.notEqual(a.token.fingerprint, b.token.fingerprint);
    assert.equal(signer.count(), 2);
  });
});

describe('MemoryTokenCache: refresh, invalidate, clear', () => {
  it('refresh signs anew, and concurrent refreshes share one signing', async () => {
    const cache = new MemoryTokenCache({ clock: new ManualClock() });
    const signer = countingSigner();
    await cache.get('k', TTL, signer.sign);
    const fresh = await Promise.all(Array.from({ length: 10 }, () => cache.refresh('k', TTL, signer.sign)));
    assert.equal(signer.count(), 2);
    assert.ok(fresh.every((r) => r.token.value.reveal() === 'tok-2' && !r.fromCache));
    assert.equal((await cache.get('k', TTL, signer.sign)).token.value.reveal(), 'tok-2');
  });

  it('refresh given the refused token returns a newer one another caller already signed', async () => {
    const cache = new MemoryTokenCache({ clock: new ManualClock() });
    const signer = countingSigner();
    const old = (await cache.get('k', TTL, signer.sign)).token;
    await cache.refresh('k', TTL, signer.sign, old.fingerprint);
    const late = await cache.refresh('k', TTL, signer.sign, old.fingerprint);
    assert.deepEqual([late.token.value.reveal(), late.fromCache, signer.count()], ['tok-2', true, 2]);
  });

  it('invalidate with a fingerprint drops only that token', async () => {
    const cache = new MemoryTokenCache({ clock: new ManualClock() });
    const signer = countingSigner();
    const first = (await cache.get('k', TTL, signer.sign)).token;
    assert.equal(cache.invalidate('k', 'not-this-one'), false);
    assert.equal(cache.invalidate('k', first.fingerprint), true);
    const second = (await cache.get('k', TTL, signer.sign)).token;
    assert.equal(cache.invalidate('k', first.fingerprint), false, 'a stale token must not evict its successor');
    assert.equal((await cache.get('k', TTL, signer.sign)).token.fingerprint, second.fingerprint);
    assert.equal(cache.invalidate('k'), true);
    assert.equal(cache.size, 0);
  });

  it('clear forgets everything, including a signing in flight', async () => {
    const cache = new MemoryTokenCache({ clock: new ManualClock() });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inFlight = cache.get('k', TTL, async () => {
      await gate;
      return { token: 'before-clear', notAfter: null };
    });
    cache.clear();
    release();
    assert.equal((await inFlight).token.value.reveal(), 'before-clear');
    assert.equal(cache.size, 0);
    assert.equal((await cache.get('k', TTL, countingSigner().sign)).token.value.reveal(), 'tok-1');
  });
});

describe('MemoryTokenCache: LRU bound', () => {
  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const cache = new MemoryTokenCache({ clock: new ManualClock(), maxEntries: 3 });
    const signer = countingSigner();
    for (const k of ['a', 'b', 'c']) await cache.get(k, TTL, signer.sign);
    assert.equal((await cache.get('a', TTL, signer.sign)).fromCache, true); // a is now the most recent
    await cache.get('d', TTL, signer.sign); // evicts b
    assert.equal(cache.size, 3);
    assert.equal((await cache.get('a', TTL, signer.sign)).fromCache, true);
    assert.equal((await cache.get('c', TTL, signer.sign)).fromCache, true);
    assert.equal((await cache.get('b', TTL, signer.sign)).fromCache, false);
    assert.equal(signer.count(), 5);
  });

  it('stays bounded under many keys', async () => {
    const cache = new MemoryTokenCache({ clock: new ManualClock() });
    const signer = countingSigner();
    for (let i = 0; i < 1500; i++) await cache.get(`k${i}`, TTL, signer.sign);
    assert.equal(cache.size, 1000);
  });
});

describe('MemoryTokenCache: dead tokens', () => {
  it('drops dead tokens of keys never asked for again (rotated credentials) when it stores a new one', async () => {
    const clock = new ManualClock();
    const cache = new MemoryTokenCache({ clock });
    const signer = countingSigner();
    // One key per rotation, as the credentials' identity is part of the key; each asked for only while current.
    for (let rotation = 0; rotation < 24; rotation++) {
      await cache.get(`target|identity${rotation}`, TTL, signer.sign);
      clock.advance(TTL);
    }
    assert.equal(cache.size, 1, 'only the last one, whose ttl is running out now');
  });
});

describe('MemoryTokenCache: printing', () => {
  it('shows no token in util.inspect or JSON', async () => {
    const cache = new MemoryTokenCache({ clock: new ManualClock() });
    const { token } = await cache.get('k', TTL, async () => ({ token: 'super-secret-token-value', notAfter: null }));
    for (const text of [
      inspect(cache, { depth: 5 }),
      inspect(token, { depth: 5 }),
      JSON.stringify(token),
      String(token.value),
    ]) {
      assert.doesNotMatch(text, /super-secret/);
    }
  });
});
