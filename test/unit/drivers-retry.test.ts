import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { AuthError, CredentialsError } from '../../src/errors.js';
import { Secret, fingerprint } from '../../src/secret.js';
import { isLoginError, tagError, withTokenRetry } from '../../src/drivers/retry.js';
import { trackFetches, type TrackedProvider } from '../../src/drivers/tracked-provider.js';
import type { IssuedToken, TokenProvider } from '../../src/token/token-provider.js';
import { resolveTokenTarget } from '../../src/endpoint/target.js';
import { resolvedConfig } from '../support/resolved-config.js';

const TOKEN = `host:5432/?Action=connect&DBUser=app&X-Amz-Signature=${'ab'.repeat(32)}`;
const TARGET = resolveTokenTarget(resolvedConfig({ user: 'app' }));

function issued(value: string, fromCache: boolean): IssuedToken {
  return { value: new Secret(value), target: TARGET, fingerprint: fingerprint(value), fromCache, signedAt: 0 };
}

/**
 * A token provider that hands out scripted tokens and records the refused ones. It answers refused() as the real one
 * does for a fixed region (retry a cached token), unless told the writer moved (`moved`: retry any token once).
 */
function scriptedSource(tokens: IssuedToken[], moved = false) {
  const refused: string[] = [];
  let next = 0;
  const raw = {
    get: async () => tokens[Math.min(next++, tokens.length - 1)]!,
    fresh: async () => tokens[Math.min(next++, tokens.length - 1)]!,
    refused: async (t: IssuedToken) => {
      refused.push(t.fingerprint);
      return t.fromCache || (moved && refused.length === 1);
    },
  } as unknown as TokenProvider;
  return { source: trackFetches(raw), refused };
}

function loginFailure(engine: 'postgres' | 'mysql', token: IssuedToken): Error {
  const err = Object.assign(
    new Error(`login refused, sent ${token.value.reveal()}`),
    engine === 'postgres' ? { code: '28P01' } : { code: 'ER_ACCESS_DENIED_ERROR', sqlState: '28000' },
  );
  tagError(err, token);
  return err;
}

/** Runs withTokenRetry with a login that the server refuses on every attempt. */
async function refusedEveryTime(source: TrackedProvider, engine: 'postgres' | 'mysql') {
  let attempts = 0;
  const err = await withTokenRetry(source, engine, async () => {
    attempts++;
    throw loginFailure(engine, await source.get());
  }).catch((e: unknown) => e);
  return { err, attempts };
}

/** Runs withTokenRetry with a login that the server refuses for token `bad` only. */
async function refusing(source: TrackedProvider, engine: 'postgres' | 'mysql', bad: IssuedToken) {
  let attempts = 0;
  const result = await withTokenRetry(source, engine, async () => {
    const token = await source.get();
    attempts++;
    if (token === bad) throw loginFailure(engine, token);
    return 'connected';
  });
  return { result, attempts };
}

describe('isLoginError', () => {
  it('knows the PostgreSQL and MySQL login refusals and nothing else', () => {
    assert.equal(isLoginError('postgres', { code: '28000' }), true);
    assert.equal(isLoginError('postgres', { code: '28P01' }), true);
    assert.equal(isLoginError('postgres', new Error('PAM authentication failed for user "app"')), true);
    assert.equal(isLoginError('postgres', { code: '57P03' }), false);
    assert.equal(isLoginError('postgres', { code: 'ER_ACCESS_DENIED_ERROR' }), false);
    assert.equal(isLoginError('mysql', { code: 'ER_ACCESS_DENIED_ERROR' }), true);
    assert.equal(isLoginError('mysql', { sqlState: '28000' }), true);
    assert.equal(isLoginError('mysql', { code: 'ECONNREFUSED' }), false);
    assert.equal(isLoginError('mysql', null), false);
    // By message alone, as Sequelize keeps it: 1045 refuses the login, 1044 only a database the user may not use.
    assert.equal(
      isLoginError('mysql', new Error("Access denied for user 'app'@'10.0.0.1' (using password: YES)")),
      true,
    );
    assert.equal(isLoginError('mysql', new Error("Access denied for user 'app'@'%' to database 'other'")), false);
  });
});

describe('withTokenRetry', () => {
  for (const engine of ['postgres', 'mysql'] as const) {
    it(`${engine}: a refused cached token is dropped and retried exactly once`, async () => {
      const cached = issued(`${TOKEN}1`, true);
      const fresh = issued(`${TOKEN}2`, false);
      const { source, refused } = scriptedSource([cached, fresh]);
      const { result, attempts } = await refusing(source, engine, cached);
      assert.equal(result, 'connected');
      assert.equal(attempts, 2);
      assert.deepEqual(refused, [cached.fingerprint]);
    });

    it(`${engine}: a refused fresh token is an AuthError listing the causes, with no token and no loop`, async () => {
      const fresh = issued(`${TOKEN}3`, false);
      const { source, refused } = scriptedSource([fresh]);
      const { err, attempts } = await refusedEveryTime(source, engine);
      assert.ok(err instanceof AuthError);
      assert.equal(attempts, 1);
      assert.deepEqual(refused, [fresh.fingerprint]);
      assert.match(err.message, /rds-db:connect/);
      assert.match(err.message, engine === 'postgres' ? /GRANT rds_iam/ : /AWSAuthenticationPlugin/);
      const everything = err.message + inspect(err, { depth: 5 }) + JSON.stringify(err);
      assert.ok(!everything.includes(fresh.value.reveal()), 'the token leaked into the AuthError');
      assert.ok(!/X-Amz-Signature=[0-9a-f]{64}/.test(everything));
    });

    it(`${engine}: a fresh token refused after its global writer moved region is retried once with the new region`, async () => {
      const stale = issued(`${TOKEN}6`, false);
      const { source, refused } = scriptedSource([stale, issued(`${TOKEN}7`, false)], true);
      const { result, attempts } = await refusing(source, engine, stale);
      assert.deepEqual([result, attempts, refused], ['connected', 2, [stale.fingerprint]]);
    });

    it(`${engine}: a cached token refused, then the fresh one refused too: AuthError after two attempts`, async () => {
      const { source } = scriptedSource([issued(`${TOKEN}4`, true), issued(`${TOKEN}5`, false)]);
      const { err, attempts } = await refusedEveryTime(source, engine);
      assert.ok(err instanceof AuthError);
      assert.equal(attempts, 2);
    });
  }

  it('other errors pass through as the same object, with any token scrubbed from the message', async () => {
    const { source, refused } = scriptedSource([issued(TOKEN, true)]);
    const original = Object.assign(new Error(`connect ECONNREFUSED while sending ${TOKEN}`), { code: 'ECONNREFUSED' });
    const err = await withTokenRetry(source, 'postgres', async () => {
      tagError(original, await source.get());
      throw original;
    }).catch((e: unknown) => e);
    assert.equal(err, original);
    assert.match(original.message, /ECONNREFUSED/);
    assert.ok(!original.message.includes('X-Amz-Signature=ab'));
    assert.deepEqual(refused, []);
  });
});

describe('trackFetches', () => {
  it('reports the token fetch failure behind a driver timeout, not the timeout', async () => {
    const failure = new CredentialsError('Could not get AWS credentials (source process): timed out', {
      source: 'process',
    });
    let rejectFetch!: (err: unknown) => void;
    const raw = {
      get: () => new Promise<IssuedToken>((_resolve, reject) => (rejectFetch = reject)),
    } as unknown as TokenProvider;
    const tracked = trackFetches(raw);
    const result = withTokenRetry(tracked, 'postgres', async () => {
      void tracked.get().catch(() => {});
      throw new Error('timeout expired');
    }).catch((e: unknown) => e);
    // The credentials fail only after the driver gave up: the report still names them.
    setImmediate(() => rejectFetch(failure));
    assert.equal(await result, failure);
  });

  it('keeps the driver error when the token was fetched fine', async () => {
    const tracked = trackFetches(scriptedSource([issued(`${TOKEN}9`, false)]).source);
    const refusal = new Error('connect ECONNREFUSED');
    const err = await withTokenRetry(tracked, 'postgres', async () => {
      await tracked.get();
      throw refusal;
    }).catch((e: unknown) => e);
    assert.equal(err, refusal);
  });
});
