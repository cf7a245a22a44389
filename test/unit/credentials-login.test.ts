// `aws login` sessions through @aws-sdk/credential-providers, for real: a login profile in ~/.aws/config and its
// session in ~/.aws/login/cache/<sha256 of login_session>.json (HOME pointed at a temp dir), in the shape the AWS CLI
// writes; renewals go to a loopback AWS Sign-In service (AWS_ENDPOINT_URL_SIGNIN). No SDK mocks.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { CredentialsSource } from '../../src/config/keys.js';
import { CredentialsError } from '../../src/errors.js';
import { fingerprint } from '../../src/secret.js';
import { SharedCredentials } from '../../src/token/credentials.js';
import { tokenProviderFor } from '../../src/token/token-provider.js';
import { credentialSettings } from '../support/credentials.js';
import { NO_AWS_ENV, withEnv } from '../support/env.js';
import { FakeSigninApi } from '../support/fake-signin-api.js';
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
const REFRESH_TOKEN = 'login-refresh-token-EXAMPLE-0123456789';
const LOGIN_SESSION = 'arn:aws:iam::123456789012:user/dev';

interface LoginHome {
  home: string;
  cacheFile: string;
  dpopKeyX: string;
  dpopKey: string;
}

/**
 * A home directory after `aws login --profile <profile>`: the profile's login_session in ~/.aws/config, and the
 * session (credentials, refresh token, DPoP key) cached under ~/.aws/login/cache, expiring `expiresInMs` from now.
 */
function loginHome(profile: string, expiresInMs: number, extraConfig = ''): LoginHome {
  const home = tempDir('rdsiam-login-home-');
  const section = profile === 'default' ? '[default]' : `[profile ${profile}]`;
  mkdirSync(join(home, '.aws/login/cache'), { recursive: true });
  writeFileSync(
    join(home, '.aws/config'),
    `${section}\nlogin_session = ${LOGIN_SESSION}\nregion = us-east-1\n${extraConfig}`,
  );
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const dpopKey = privateKey.export({ format: 'pem', type: 'sec1' }).toString();
  const cacheFile = join(
    home,
    '.aws/login/cache',
    `${createHash('sha256').update(LOGIN_SESSION, 'utf8').digest('hex')}.json`,
  );
  const session = {
    accessToken: {
      ...SESSION,
      accountId: '123456789012',
      expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    },
    tokenType: 'aws_sigv4',
    clientId: 'arn:aws:signin:::devtools/same-device',
    refreshToken: REFRESH_TOKEN,
    idToken: 'header.payload.signature',
    dpopKey,
    signInRegion: 'us-east-1',
  };
  writeFileSync(cacheFile, JSON.stringify(session, null, 2));
  return { home, cacheFile, dpopKey, dpopKeyX: String(publicKey.export({ format: 'jwk' }).x) };
}

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
      const { home } = loginHome(env['AWS_PROFILE'] ?? profile ?? 'default', HOUR);
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

  it('keeps the session expiry, so credentials are fetched again before it', async () => {
    const { home, cacheFile } = loginHome('dev', HOUR);
    const expiresAt = Date.parse(JSON.parse(readFileSync(cacheFile, 'utf8')).accessToken.expiresAt);
    await withEnv(envFor(home), async () => {
      const current = await new SharedCredentials(credentialSettings('login', { profile: 'dev' })).current();
      assert.equal(current.identity, fingerprint(SESSION.accessKeyId));
      assert.equal(current.expiresAt, expiresAt);
    });
  });

  it('renews a session near its expiry through AWS Sign-In, with a DPoP proof, and caches the renewal', async () => {
    const { home, cacheFile, dpopKeyX, dpopKey } = loginHome('dev', 60_000);
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
      clientId: 'arn:aws:signin:::devtools/same-device',
      grantType: 'refresh_token',
      refreshToken: REFRESH_TOKEN,
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
      const { home } = loginHome('dev', -60_000);
      signin.answer = { kind: 'denied', error: 'TOKEN_EXPIRED' };
      const err = await withEnv(envFor(home, { AWS_ENDPOINT_URL_SIGNIN: signin.url }), () =>
        caught(new SharedCredentials(credentialSettings(source, { profile: 'dev' })).current()),
      );
      assert.ok(err instanceof CredentialsError, inspect(err));
      assert.deepEqual([err.source, err.profile], [source, 'dev']);
      assert.match(err.message, /Your session has expired/);
      assert.match(err.message, /run `aws login`/i);
      for (const text of [err.message, inspect(err, { depth: 10 }), String(err.stack)]) {
        for (const secret of [SESSION.secretAccessKey, SESSION.sessionToken, REFRESH_TOKEN]) {
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
