// The one helper behind rdsiam's shared promises: concurrent callers share one call; what is kept after it settles.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getOrCreate, onceFulfilled } from '../../src/single-flight.js';
import { sdkProvider } from '../../src/token/credentials.js';

const settings = {
  source: 'env',
  profile: undefined,
  roleArn: undefined,
  roleSessionName: undefined,
  externalId: undefined,
  region: 'us-east-1',
  timeoutMs: 1000,
} as const;

describe('getOrCreate', () => {
  it('shares one call among concurrent callers and, with keep none, forgets it once settled', async () => {
    const flights = new Map<string, Promise<number>>();
    let calls = 0;
    const create = async () => ++calls;
    const [a, b] = await Promise.all([
      getOrCreate(flights, 'k', create, 'none'),
      getOrCreate(flights, 'k', create, 'none'),
    ]);
    assert.deepEqual([a, b, calls], [1, 1, 1]);
    assert.equal(flights.size, 0);
    assert.equal(await getOrCreate(flights, 'k', create, 'none'), 2);
  });

  it('with keep fulfilled, keeps a value and forgets a failure', async () => {
    const flights = new Map<string, Promise<number>>();
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls === 1) throw new Error('first call fails');
      return calls;
    };
    await assert.rejects(getOrCreate(flights, 'k', flaky, 'fulfilled'), /first call fails/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await getOrCreate(flights, 'k', flaky, 'fulfilled'), 2);
    assert.equal(await getOrCreate(flights, 'k', flaky, 'fulfilled'), 2);
    assert.equal(calls, 2);
  });

  it('does not forget a newer promise when an older one settles after a clear', async () => {
    const flights = new Map<string, Promise<string>>();
    let release!: (value: string) => void;
    const old = getOrCreate(flights, 'k', () => new Promise<string>((r) => (release = r)), 'none');
    flights.clear();
    const newer = getOrCreate(flights, 'k', () => new Promise<string>(() => {}), 'none');
    release('old');
    await old;
    assert.equal(flights.get('k'), newer);
  });
});

describe('sdkProvider', () => {
  it('builds the SDK provider again after a failed build, rather than keeping the failure', async () => {
    let builds = 0;
    const provider = sdkProvider(settings, async () => {
      builds++;
      if (builds === 1) throw new Error('the package could not be loaded');
      return async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' });
    });
    await assert.rejects(provider(), /could not be loaded/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await provider()).accessKeyId, 'AKIAEXAMPLE');
    await provider();
    assert.equal(builds, 2);
  });

  it('onceFulfilled shares one creation among concurrent callers', async () => {
    let calls = 0;
    const once = onceFulfilled(async () => ++calls);
    assert.deepEqual(await Promise.all([once(), once(), once()]), [1, 1, 1]);
  });
});
