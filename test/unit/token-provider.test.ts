import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { CredentialsError, RdsIamError } from '../../src/errors.js';
import type { AwsCredentials } from '../../src/aws-credentials.js';
import { tokenProviderFor } from '../../src/token/token-provider.js';
import { countingCredentials } from '../support/credentials.js';
import { recording } from '../support/events.js';
import { DSQL_HOST } from '../support/hosts.js';
import { resolvedConfig } from '../support/resolved-config.js';
import { tokenDeps, type TestTokenDeps } from '../support/token-deps.js';

// A token is not served in its credentials' last 30 s, so it cannot expire on its way to the server.
const CREDENTIALS_MARGIN_MS = 30_000;

function staticKeys(accessKeyId: string, expiration?: Date): () => Promise<AwsCredentials> {
  return async () => ({ accessKeyId, secretAccessKey: 'not-a-real-secret', ...(expiration ? { expiration } : {}) });
}

const deps = (credentials = staticKeys('AKIAEXAMPLE1')): TestTokenDeps => tokenDeps(credentials);

describe('tokenProviderFor: single flight and caching', () => {
  it('makes exactly one signing and one credential fetch for 500 concurrent cold calls', async () => {
    const d = deps();
    const keys = countingCredentials({ accessKeyId: 'AKIACOLDSTART', secretAccessKey: 'x' });
    d.credentials = keys.provider;
    const config = resolvedConfig({});
    const { result, events } = await recording(['rdsiam:token:signed', 'rdsiam:token:cache-hit'], () =>
      Promise.all(Array.from({ length: 500 }, () => tokenProviderFor(config, d).get())),
    );
    assert.equal(d.signer.signings, 1);
    assert.equal(keys.calls(), 1);
    assert.equal(events['rdsiam:token:signed'].length, 1);
    assert.ok(result.every((t) => t.fingerprint === result[0]!.fingerprint && !t.fromCache));
  });

  it('serves the cached token afterwards and reports a cache hit', async () => {
    const d = deps();
    const source = tokenProviderFor(resolvedConfig({}), d);
    const first = await source.get();
    d.clock.advance(1000);
    const { result: second, events } = await recording(['rdsiam:token:cache-hit'], () => source.get());
    assert.deepEqual(
      [second.fromCache, second.fingerprint, second.signedAt],
      [true, first.fingerprint, first.signedAt],
    );
    assert.deepEqual(events['rdsiam:token:cache-hit'], [
      {
        plugin: 'iam',
        host: first.target.host,
        port: 5432,
        user: 'app_user',
        region: 'us-east-1',
        fingerprint: first.fingerprint,
        ageMs: 1000,
      },
    ]);
  });

  it('shares one token between origins of equal configs', async () => {
    const d = deps();
    const a = await tokenProviderFor(resolvedConfig({}), d).get();
    const b = await tokenProviderFor(resolvedConfig({ connection: 'other-name' }), d).get();
    assert.equal(b.fingerprint, a.fingerprint);
    assert.equal(d.signer.signings, 1);
  });

  it('signs again once iam_expiration has passed since signing started', async () => {
    const d = deps();
    const source = tokenProviderFor(resolvedConfig({ iam_expiration: 600 }), d);
    await source.get();
    d.clock.advance(599_999);
    assert.equal((await source.get()).fromCache, true);
    d.clock.advance(1);
    assert.equal((await source.get()).fromCache, false);
    assert.equal(d.signer.signings, 2);
  });

  it('never serves an RDS token past 900 s, whatever iam_expiration says', async () => {
    const d = deps();
    const source = tokenProviderFor(resolvedConfig({ iam_expiration: 3600 }), d);
    await source.get();
    assert.deepEqual(d.signer.lifetimes, [900]);
    d.clock.advance(900_000);
    assert.equal((await source.get()).fromCache, false);
  });

  it('asks the DSQL signer for the whole iam_expiration', async () => {
    const d = deps();
    await tokenProviderFor(resolvedConfig({ host: DSQL_HOST, plugin: 'iam_dsql', iam_expiration: 7200 }), d).get();
    assert.deepEqual(d.signer.lifetimes, [7200]);
  });

  it('does not serve a token past the expiry of the credentials that signed it', async () => {
    const d = deps();
    d.credentials = staticKeys('ASIASHORTLIVED', new Date(d.clock.now() + 4 * 60_000));
    const source = tokenProviderFor(resolvedConfig({ iam_expiration: 840 }), d);
    await source.get();
    d.clock.advance(2 * 60_000 - 1);
    assert.equal((await source.get()).fromCache, true);
    d.clock.advance(2 * 60_000 + 1);
    // The provider hands out the same, now expired, keys again.
    await assert.rejects(source.get(), (err) => err instanceof CredentialsError && /expired at/.test(err.message));
  });
});

describe('tokenProviderFor: DSQL tokens up to a week, never past their credentials', () => {
  const dsqlWeek = (extra: Parameters<typeof resolvedConfig>[0] = {}) =>
    resolvedConfig({ host: DSQL_HOST, plugin: 'iam_dsql', user: 'admin', iam_expiration: 604_800, ...extra });

  it('serves one DSQL token for iam_expiration 604800 with long-term keys, and signs for that long', async () => {
    const d = deps();
    const source = tokenProviderFor(dsqlWeek(), d);
    const first = await source.get();
    assert.deepEqual(d.signer.lifetimes, [604_800]);
    d.clock.advance(604_800_000 - 1);
    assert.deepEqual([(await source.get()).fromCache, (await source.get()).fingerprint], [true, first.fingerprint]);
    d.clock.advance(1);
    assert.equal((await source.get()).fromCache, false);
  });

  it('stops serving it when its temporary credentials expire, a week of iam_expiration notwithstanding', async () => {
    const d = deps();
    const expiry = d.clock.now() + 60 * 60_000;
    d.credentials = staticKeys('ASIADSQLONEHOUR', new Date(expiry));
    const source = tokenProviderFor(dsqlWeek(), d);
    const first = await source.get();
    d.clock.advance(expiry - d.clock.now() - CREDENTIALS_MARGIN_MS - 1);
    assert.deepEqual([(await source.get()).fromCache, (await source.get()).fingerprint], [true, first.fingerprint]);
    d.clock.advance(1);
    // The provider hands out the same keys, which have less than the margin left: no cached token, a signing with them.
    const late = await source.get();
    assert.equal(late.fromCache, false);
    d.clock.advance(CREDENTIALS_MARGIN_MS);
    await assert.rejects(source.get(), (err) => err instanceof CredentialsError && /expired at/.test(err.message));
  });

  it('when renewing the credentials fails, serves the token only while the old credentials live', async () => {
    const d = deps();
    const expiry = d.clock.now() + 30 * 60_000;
    let fetches = 0;
    d.credentials = async () => {
      if (++fetches > 1) throw new Error('the credential source is down');
      return { accessKeyId: 'ASIARENEWFAILS', secretAccessKey: 'x', expiration: new Date(expiry) };
    };
    const source = tokenProviderFor(dsqlWeek(), d);
    const first = await source.get();
    // Renewal is due at half the credentials' life and fails: the still-valid credentials and their token are kept.
    d.clock.advance(20 * 60_000);
    assert.deepEqual([(await source.get()).fingerprint, fetches], [first.fingerprint, 2]);
    d.clock.advance(expiry - d.clock.now() - CREDENTIALS_MARGIN_MS - 1);
    assert.equal((await source.get()).fingerprint, first.fingerprint);
    d.clock.advance(CREDENTIALS_MARGIN_MS + 1);
    await assert.rejects(
      source.get(),
      (err) => err instanceof CredentialsError && /the credential source is down/.test(err.message),
    );
    assert.equal(d.signer.signings, 1);
  });
});

describe('tokenProviderFor: cache keys', () => {
  it('iam_region changes the key: a token cached for the host region is not reused', async () => {
    const d = deps();
    const own = await tokenProviderFor(resolvedConfig({}), d).get();
    const other = tokenProviderFor(resolvedConfig({ iam_region: 'eu-west-1' }), d);
    assert.deepEqual([(await other.target()).region, (await other.target()).regionFrom], ['eu-west-1', 'iam_region']);
    const signed = await other.get();
    assert.equal(signed.fromCache, false);
    assert.notEqual(signed.fingerprint, own.fingerprint);
    assert.equal(d.signer.signings, 2);
  });

  it('port and user change the key', async () => {
    const d = deps();
    await tokenProviderFor(resolvedConfig({}), d).get();
    await tokenProviderFor(resolvedConfig({ iam_default_port: 6432 }), d).get();
    await tokenProviderFor(resolvedConfig({ user: 'reporting' }), d).get();
    assert.equal(d.signer.signings, 3);
  });

  it('different credentials never share a token', async () => {
    const d = deps();
    const config = resolvedConfig({});
    const a = await tokenProviderFor(config, { ...d, credentials: staticKeys('AKIAFIRSTKEY') }).get();
    const b = await tokenProviderFor(config, { ...d, credentials: staticKeys('AKIASECONDKEY') }).get();
    assert.equal(b.fromCache, false);
    assert.notEqual(a.fingerprint, b.fingerprint);
    // A provider returning the same key id is the same identity, so it may share the token.
    const c = await tokenProviderFor(config, { ...d, credentials: staticKeys('AKIAFIRSTKEY') }).get();
    assert.deepEqual([c.fromCache, c.fingerprint], [true, a.fingerprint]);
  });

  it('rotated credentials get a new token', async () => {
    const d = deps();
    let n = 0;
    d.credentials = async () => ({
      accessKeyId: `ASIAROTATION${++n}`,
      secretAccessKey: 'x',
      expiration: new Date(d.clock.now() + 60 * 60_000),
    });
    const source = tokenProviderFor(resolvedConfig({ host: DSQL_HOST, plugin: 'iam_dsql', iam_expiration: 7200 }), d);
    const first = await source.get();
    d.clock.advance(45 * 60_000);
    const second = await source.get();
    assert.notEqual(second.fingerprint, first.fingerprint);
    assert.equal(n, 2);
  });
});

describe('tokenProviderFor: fresh and refused', () => {
  it('fresh signs anew, and concurrent fresh calls share one signing', async () => {
    const d = deps();
    const source = tokenProviderFor(resolvedConfig({}), d);
    const old = await source.get();
    const fresh = await Promise.all(Array.from({ length: 20 }, () => source.fresh()));
    assert.equal(d.signer.signings, 2);
    assert.ok(fresh.every((t) => t.fingerprint !== old.fingerprint && !t.fromCache));
    assert.equal((await source.get()).fingerprint, fresh[0]!.fingerprint);
  });

  it('fresh(refused) serves a replacement someone else already signed', async () => {
    const d = deps();
    const source = tokenProviderFor(resolvedConfig({}), d);
    const refused = await source.get();
    const replacement = await source.fresh(refused);
    const late = await source.fresh(refused);
    assert.equal(late.fingerprint, replacement.fingerprint);
    assert.equal(d.signer.signings, 2);
  });

  it('refused(token) drops that token only, and says a retry helps only for a cached token', async () => {
    const d = deps();
    const source = tokenProviderFor(resolvedConfig({}), d);
    const first = await source.get();
    assert.equal(await source.refused(first), false, 'a freshly signed token refused: a new one would be refused too');
    const second = await source.get();
    assert.equal(second.fromCache, false);
    const cached = await source.get();
    assert.equal(await source.refused(first), false); // stale: must not evict `second`
    assert.deepEqual([(await source.get()).fingerprint, d.signer.signings], [second.fingerprint, 2]);
    assert.equal(await source.refused(cached), true);
    assert.equal((await source.get()).fromCache, false);
  });
});

describe('tokenProviderFor: failures', () => {
  it('a failed signing rejects every caller, is not cached, and is reported without the token', async () => {
    const d = deps();
    d.signer.failWith = new Error('boom near X-Amz-Signature=abcdef0123 and more');
    const source = tokenProviderFor(resolvedConfig({}), d);
    const { result, events } = await recording(['rdsiam:token:sign-failed'], () =>
      Promise.allSettled(Array.from({ length: 10 }, () => source.get())),
    );
    assert.equal(d.signer.signings, 1);
    for (const r of result) {
      assert.equal(r.status, 'rejected');
      const err = (r as PromiseRejectedResult).reason as unknown;
      assert.ok(err instanceof RdsIamError);
      assert.match(err.message, /Signing an IAM token for app_user@.*:5432 failed: boom/);
      assert.doesNotMatch(err.message, /abcdef0123/);
    }
    assert.equal(events['rdsiam:token:sign-failed'].length, 1);
    d.signer.failWith = undefined;
    assert.equal((await source.get()).fromCache, false);
  });

  it('a credentials failure reaches the caller as a CredentialsError, with no signing', async () => {
    const d = deps(async () => {
      throw new Error('no way');
    });
    await assert.rejects(tokenProviderFor(resolvedConfig({}), d).get(), CredentialsError);
    assert.equal(d.signer.signings, 0);
  });
});

describe('tokenProviderFor: nothing prints a token', () => {
  it('keeps the token out of JSON, util.inspect and every event', async () => {
    const d = deps();
    const source = tokenProviderFor(resolvedConfig({}), d);
    const { result, events } = await recording(
      ['rdsiam:token:signed', 'rdsiam:token:cache-hit', 'rdsiam:credentials:fetched'],
      async () => [await source.get(), await source.get(), await source.fresh()],
    );
    const texts = [
      ...result.flatMap((t) => [JSON.stringify(t), inspect(t, { depth: 10 }), String(t.value), `${t.value}`]),
      JSON.stringify(source),
      inspect(source, { depth: 10, showHidden: true }),
      JSON.stringify(Object.values(events)),
    ];
    for (const text of texts) assert.doesNotMatch(text, /X-Amz-Signature|secret\d/, text);
    assert.match(result[0]!.value.reveal(), /X-Amz-Signature=secret1/);
    assert.equal(events['rdsiam:token:signed'].length, 2);
  });
});
