// `aws login` sessions through @aws-sdk/credential-providers, for real: a login profile in ~/.aws/config and its
// session in ~/.aws/login/cache/<sha256 of login_session>.json (HOME pointed at a temp dir), in the shape the AWS CLI
// writes; renewals go to a loopback AWS Sign-In service (AWS_ENDPOINT_URL_SIGNIN). No SDK mocks.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { CredentialsSource } from '../../src/config/keys.js';
import { CredentialsError } from '../../src/errors.js';
import { fingerprint } from '../../src/secret.js';
import { SharedCredentials } from '../../src/token/credentials.js';
import { tokenProviderFor } from '../../src/token/token-provider.js';
import { spawnCli } from '../support/cli.js';
import { credentialSettings } from '../support/credentials.js';
import { NO_AWS_ENV, withEnv } from '../support/env.js';
import { loginHome, LOGIN_CLIENT_ID } from '../support/aws-login.js';
import { FakeSigninApi } from '../support/fake-signin-api.js';
import { RDS_HOST } from '../support/hosts.js';
import { ManualClock } from '../support/manual-clock.js';
import { resolvedConfig } from '../support/resolved-config.js';
import { tempDir } from '../support/temp-dir.js';
import { verifyToken } from '../support/verify-token.js';

// Made-up keys in the documented AWS example format; never real.
const SESSION = {
  accessKeyId: 'ASIALOGIN0000EXAMPLE',
  secretAccessKey: 'lOgIn0secret0key0EXAMPLE0lOgIn0secret0key',
  sessionToken: 'IQoJb3JpZ2luX2VjLOGINsessionTOKEN0123456789abcdefEXAMPLE',
};
const RENEWED = {
  accessKeyId: 'ASIARENEWED00EXAMPLE',
  secretAccessKey: 'rEnEwEd0secret0key0EXAMPLE0rEnEwEd0secret',
  sessionToken: 'IQoJb3JpZ2luX2VjRENEWEDsessionTOKEN0123456789abcdefEXAMPLE',
};

/** Only HOME (and the Sign-In endpoint) tell the SDK where to look. */
function envFor(home: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...NO_AWS_ENV, HOME: home, ...extra };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

const HOUR = 3_600_000;

describe('aws login sessions', () => {
  const signin = new FakeSigninApi();
  before(() => signin.start());
  after(() => signin.stop());

  const picks: [string, CredentialsSource, string | undefined, Record<string, string>][] = [
    ['the default chain, the default profile', 'chain', undefined, {}],
    ['the default chain, AWS_PROFILE', 'chain', undefined, { AWS_PROFILE: 'dev' }],
    ['the default chain, aws_profile', 'chain', 'dev', {}],
    ['ini, aws_profile', 'ini', 'dev', {}],
    ['login, aws_profile', 'login', 'dev', {}],
  ];
  for (const [name, source, profile, env] of picks) {
    it(`signs with the cached session: ${name}`, async () => {
      const { home } = loginHome(env['AWS_PROFILE'] ?? profile ?? 'default', SESSION, HOUR);
      const calls = signin.calls.length;
      await withEnv(envFor(home, { ...env, AWS_ENDPOINT_URL_SIGNIN: signin.url }), async () => {
        const config = resolvedConfig({
          aws_credentials_source: source,
          ...(profile === undefined ? {} : { aws_profile: profile }),
        });
        const token = await tokenProviderFor(config, { clock: new ManualClock() }).get();
        const checked = await verifyToken(token.value.reveal(), 'rds-db', 'us-east-1', SESSION);
        assert.equal(checked.hasSessionToken, true);
      });
      assert.equal(signin.calls.length, calls, 'a session an hour from expiry is used as cached');
    });
  }

  it('the rdsiam CLI, a process of its own, signs `rdsiam token` with the session of AWS_PROFILE', async () => {
    const { home } = loginHome('dev', SESSION, HOUR);
    const r = await spawnCli(['token'], {
      HOME: home,
      AWS_PROFILE: 'dev',
      RDSIAM_DSN: `postgres://app_user@${RDS_HOST}:5432/app`,
      RDSIAM_PLUGINS: 'iam',
    });
    assert.equal(r.code, 0, r.err);
    const checked = await verifyToken(r.out.trim(), 'rds-db', 'us-east-1', SESSION);
    assert.equal(checked.hasSessionToken, true);
  });

  it('keeps the session expiry, so credentials are fetched again before it', async () => {
    const { home, cacheFile } = loginHome('dev', SESSION, HOUR);
    const expiresAt = Date.parse(JSON.parse(readFileSync(cacheFile, 'utf8')).accessToken.expiresAt);
    await withEnv(envFor(home), async () => {
      const current = await new SharedCredentials(credentialSettings('login', { profile: 'dev' })).current();
      assert.equal(current.identity, fingerprint(SESSION.accessKeyId));
      assert.equal(current.expiresAt, expiresAt);
    });
  });

  it('renews a session near its expiry through AWS Sign-In, with a DPoP proof, and caches the renewal', async () => {
    const { home, cacheFile, dpopKeyX, dpopKey, refreshToken } = loginHome('dev', SESSION, 60_000);
    signin.answer = {
      kind: 'token',
      credentials: RENEWED,
      refreshToken: 'login-refresh-token-RENEWED',
      expiresIn: 900,
    };
    const calls = signin.calls.length;
    await withEnv(envFor(home, { AWS_ENDPOINT_URL_SIGNIN: signin.url }), async () => {
      const config = resolvedConfig({ aws_profile: 'dev' });
      const token = await tokenProviderFor(config, { clock: new ManualClock() }).get();
      await verifyToken(token.value.reveal(), 'rds-db', 'us-east-1', RENEWED);
    });
    assert.equal(signin.calls.length, calls + 1);
    const call = signin.calls.at(-1)!;
    assert.equal(call.path, '/v1/token');
    assert.deepEqual(call.body, {
      clientId: LOGIN_CLIENT_ID,
      grantType: 'refresh_token',
      refreshToken,
    });
    assert.equal(call.dpopValid, true, 'the proof is signed by the cached DPoP key, for POST to this URL');
    assert.equal(call.dpopKeyX, dpopKeyX);
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
    assert.deepEqual(
      [cached.accessToken.accessKeyId, cached.refreshToken, cached.dpopKey],
      [RENEWED.accessKeyId, 'login-refresh-token-RENEWED', dpopKey],
    );
  });

  it('an expired session that Sign-In will not renew is a CredentialsError that says to run aws login', async () => {
    for (const source of ['login', 'chain'] as const) {
      const { home, refreshToken } = loginHome('dev', SESSION, -60_000);
      signin.answer = { kind: 'denied', error: 'TOKEN_EXPIRED' };
      const err = await withEnv(envFor(home, { AWS_ENDPOINT_URL_SIGNIN: signin.url }), () =>
        caught(new SharedCredentials(credentialSettings(source, { profile: 'dev' })).current()),
      );
      assert.ok(err instanceof CredentialsError, inspect(err));
      assert.deepEqual([err.source, err.profile], [source, 'dev']);
      assert.match(err.message, /Your session has expired/);
      assert.match(err.message, /run `aws login`/i);
      for (const text of [err.message, inspect(err, { depth: 10 }), String(err.stack)]) {
        for (const secret of [SESSION.secretAccessKey, SESSION.sessionToken, refreshToken]) {
          assert.ok(!text.includes(secret), `a secret leaked into: ${text}`);
        }
      }
    }
  });

  it('login on a profile without a login_session fails naming the profile and the fix', async () => {
    const home = tempDir('rdsiam-login-home-');
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws/config'), '[profile keys]\nregion = us-east-1\n');
    const err = await withEnv(envFor(home), () =>
      caught(new SharedCredentials(credentialSettings('login', { profile: 'keys' })).current()),
    );
    assert.ok(err instanceof CredentialsError, inspect(err));
    assert.match(err.message, /Profile keys does not contain login_session/);
    assert.match(err.message, /needs a login_session/);
  });
});
