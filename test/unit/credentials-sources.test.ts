// Credential origins exercised for real through @aws-sdk/credential-providers: env vars, ini files,
// credential_process scripts and a loopback container-credentials server. No SDK mocks.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { CredentialsError } from '../../src/errors.js';
import { fingerprint } from '../../src/secret.js';
import { SharedCredentials } from '../../src/token/credentials.js';
import { tokenProviderFor } from '../../src/token/token-provider.js';
import { startContainerEndpoint } from '../support/container-endpoint.js';
import { credentialSettings, processProfile } from '../support/credentials.js';
import { NO_AWS_ENV, withEnv } from '../support/env.js';
import { collect } from '../support/events.js';
import { ManualClock } from '../support/manual-clock.js';
import { resolvedConfig } from '../support/resolved-config.js';
import { tempDir } from '../support/temp-dir.js';
import { verifyToken } from '../support/verify-token.js';

// Made-up keys in the documented AWS example format; never real.
const ALPHA = { accessKeyId: 'AKIAALPHA0000EXAMPLE', secretAccessKey: 'aLpHa0secret0key0EXAMPLE0aLpHa0secret0key' };
const BETA = { accessKeyId: 'AKIABETA00000EXAMPLE', secretAccessKey: 'bEtA00secret0key0EXAMPLE0bEtA00secret0key' };
const TEMP = {
  accessKeyId: 'ASIATEMP00000EXAMPLE',
  secretAccessKey: 'tEmP00secret0key0EXAMPLE0tEmP00secret0key',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN0123456789abcdefABCDEF',
};

const dir = tempDir('rdsiam-creds-');

/** Asserts the value is a CredentialsError carrying none of the given secrets, in any printed form. */
function assertCredentialsError(err: unknown, secrets: readonly string[]): CredentialsError {
  assert.ok(err instanceof CredentialsError, `expected a CredentialsError, got ${inspect(err)}`);
  for (const text of [err.message, JSON.stringify(err), inspect(err, { depth: 10 }), String(err.stack)]) {
    for (const s of secrets) assert.ok(!text.includes(s), `a secret leaked into: ${text}`);
  }
  return err;
}

function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('env credentials', () => {
  it('signs with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (no session token)', async () => {
    await withEnv(
      { ...NO_AWS_ENV, AWS_ACCESS_KEY_ID: ALPHA.accessKeyId, AWS_SECRET_ACCESS_KEY: ALPHA.secretAccessKey },
      async () => {
        const source = tokenProviderFor(resolvedConfig({ aws_credentials_source: 'env' }), {
          clock: new ManualClock(),
        });
        const token = await source.get();
        const checked = await verifyToken(token.value.reveal(), 'rds-db', 'us-east-1', ALPHA);
        assert.equal(checked.hasSessionToken, false);
      },
    );
  });

  it('signs with AWS_SESSION_TOKEN and keeps AWS_CREDENTIAL_EXPIRATION', async () => {
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    const env = {
      ...NO_AWS_ENV,
      AWS_ACCESS_KEY_ID: TEMP.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEMP.secretAccessKey,
      AWS_SESSION_TOKEN: TEMP.sessionToken,
      AWS_CREDENTIAL_EXPIRATION: expiration,
    };
    await withEnv(env, async () => {
      const shared = new SharedCredentials(credentialSettings('env'));
      const current = await shared.current();
      assert.equal(current.identity, fingerprint(TEMP.accessKeyId));
      assert.equal(current.expiresAt, Date.parse(expiration));
      const source = tokenProviderFor(resolvedConfig({ aws_credentials_source: 'env' }), { clock: new ManualClock() });
      const checked = await verifyToken((await source.get()).value.reveal(), 'rds-db', 'us-east-1', TEMP);
      assert.equal(checked.hasSessionToken, true);
    });
  });

  it('fails with a CredentialsError naming the source when the variables are missing', async () => {
    await withEnv(NO_AWS_ENV, async () => {
      const err = assertCredentialsError(await caught(new SharedCredentials(credentialSettings('env')).current()), []);
      assert.equal(err.source, 'env');
      assert.match(err.message, /source env/);
      assert.match(err.message, /Set AWS_ACCESS_KEY_ID/);
    });
  });
});

describe('ini credentials', () => {
  // Profiles alpha and beta in a shared credentials file, gamma (temporary keys) in a config file.
  const credentials = join(dir, 'credentials');
  const config = join(dir, 'config');
  writeFileSync(
    credentials,
    `[alpha]\naws_access_key_id = ${ALPHA.accessKeyId}\naws_secret_access_key = ${ALPHA.secretAccessKey}\n\n` +
      `[beta]\naws_access_key_id = ${BETA.accessKeyId}\naws_secret_access_key = ${BETA.secretAccessKey}\n`,
  );
  writeFileSync(
    config,
    `[profile gamma]\naws_access_key_id = ${TEMP.accessKeyId}\naws_secret_access_key = ${TEMP.secretAccessKey}\n` +
      `aws_session_token = ${TEMP.sessionToken}\n`,
  );
  const env = { ...NO_AWS_ENV, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config };

  it('reads the named profile from AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE', async () => {
    await withEnv(env, async () => {
      const beta = await new SharedCredentials(credentialSettings('ini', { profile: 'beta' })).current();
      assert.equal(beta.credentials.accessKeyId, BETA.accessKeyId);
      const gamma = await new SharedCredentials(credentialSettings('ini', { profile: 'gamma' })).current();
      assert.equal(gamma.credentials.sessionToken, TEMP.sessionToken);
      // The default chain honours aws_profile too.
      const alpha = await new SharedCredentials(credentialSettings('chain', { profile: 'alpha' })).current();
      assert.equal(alpha.credentials.accessKeyId, ALPHA.accessKeyId);
    });
  });

  it('signs a separate token per profile: different credentials never share one', async () => {
    await withEnv(env, async () => {
      const clock = new ManualClock();
      const a = tokenProviderFor(resolvedConfig({ aws_credentials_source: 'ini', aws_profile: 'alpha' }), { clock });
      const b = tokenProviderFor(resolvedConfig({ aws_credentials_source: 'ini', aws_profile: 'beta' }), { clock });
      const [ta, tb] = [await a.get(), await b.get()];
      assert.equal(ta.fromCache || tb.fromCache, false);
      await verifyToken(ta.value.reveal(), 'rds-db', 'us-east-1', ALPHA);
      await verifyToken(tb.value.reveal(), 'rds-db', 'us-east-1', BETA);
      assert.equal((await a.get()).fingerprint, ta.fingerprint);
      assert.equal((await b.get()).fingerprint, tb.fingerprint);
    });
  });

  it('fails with a CredentialsError naming an unknown profile', async () => {
    await withEnv(env, async () => {
      const err = assertCredentialsError(
        await caught(new SharedCredentials(credentialSettings('ini', { profile: 'nope' })).current()),
        [ALPHA.secretAccessKey, BETA.secretAccessKey],
      );
      assert.deepEqual([err.source, err.profile], ['ini', 'nope']);
      assert.match(err.message, /profile nope/);
    });
  });
});

describe('credential_process', () => {
  it('runs the command once and signs with what it prints', async () => {
    const counter = join(dir, 'proc-count');
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    const env = processProfile(
      'proc',
      `echo run >> ${counter}\n` +
        `printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"%s","Expiration":"%s"}' ` +
        `${TEMP.accessKeyId} ${TEMP.secretAccessKey} ${TEMP.sessionToken} ${expiration}\n`,
    );
    await withEnv(env, async () => {
      const clock = new ManualClock(Date.now());
      const config = resolvedConfig({ aws_credentials_source: 'process', aws_profile: 'proc' });
      const tokens = await Promise.all(Array.from({ length: 5 }, () => tokenProviderFor(config, { clock }).get()));
      await verifyToken(tokens[0]!.value.reveal(), 'rds-db', 'us-east-1', TEMP);
      await tokenProviderFor(
        resolvedConfig({ aws_credentials_source: 'process', aws_profile: 'proc', user: 'other' }),
        { clock },
      ).get();
      assert.equal(readFileSync(counter, 'utf8').trim().split('\n').length, 1);
    });
  });

  it('a command exiting non-zero is a CredentialsError without the secrets it printed', async () => {
    const env = processProfile(
      'failing',
      `echo "denied for ${TEMP.secretAccessKey} ${TEMP.sessionToken} ${TEMP.accessKeyId}" >&2\nexit 3\n`,
    );
    await withEnv(env, async () => {
      const err = assertCredentialsError(
        await caught(new SharedCredentials(credentialSettings('process', { profile: 'failing' })).current()),
        [TEMP.secretAccessKey, TEMP.sessionToken, TEMP.accessKeyId],
      );
      assert.deepEqual([err.source, err.profile], ['process', 'failing']);
      assert.match(err.message, /Command failed/);
      assert.match(err.message, /credential_process command by hand/);
    });
  });

  it('a command printing junk is a CredentialsError', async () => {
    const env = processProfile('junk', `echo 'this is not json ${TEMP.secretAccessKey}'\n`);
    await withEnv(env, async () => {
      const err = assertCredentialsError(
        await caught(new SharedCredentials(credentialSettings('process', { profile: 'junk' })).current()),
        [TEMP.secretAccessKey],
      );
      assert.match(err.message, /invalid JSON/);
    });
  });

  it('a command that hangs is cut off by the timeout', async () => {
    const pidFile = join(dir, 'hang.pid');
    const env = processProfile('hang', `echo $$ > ${pidFile}\nexec sleep 60\n`);
    try {
      await withEnv(env, async () => {
        const shared = new SharedCredentials(credentialSettings('process', { profile: 'hang', timeoutMs: 400 }));
        const err = assertCredentialsError(await caught(shared.current()), []);
        assert.match(err.message, /timed out: no answer within 400 ms \(connect_timeout_ms\)/);
      });
    } finally {
      // The SDK cannot cancel its child; end the one we started so this test file can exit.
      for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 20));
      if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
    }
  });
});

describe('container credentials (loopback endpoint)', () => {
  it('fetches once from AWS_CONTAINER_CREDENTIALS_FULL_URI with the authorization token, then reuses', async () => {
    const endpoint = await startContainerEndpoint(TEMP);
    const fetched = collect('rdsiam:credentials:fetched');
    try {
      const env = {
        ...NO_AWS_ENV,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-auth-example',
      };
      await withEnv(env, async () => {
        const clock = new ManualClock(Date.now());
        const config = resolvedConfig({ aws_credentials_source: 'container' });
        const tokens = await Promise.all(Array.from({ length: 10 }, () => tokenProviderFor(config, { clock }).get()));
        assert.ok(tokens.every((t) => t.fingerprint === tokens[0]!.fingerprint));
        await verifyToken(tokens[0]!.value.reveal(), 'rds-db', 'us-east-1', TEMP);
        await tokenProviderFor(resolvedConfig({ aws_credentials_source: 'container', user: 'second' }), {
          clock,
        }).get();
      });
      assert.equal(endpoint.hits(), 1);
      assert.equal(endpoint.authorization(), 'container-auth-example');
      assert.equal(fetched.events.length, 1);
      assert.doesNotMatch(JSON.stringify(fetched.events), /EXAMPLE/);
    } finally {
      fetched.stop();
      await endpoint.close();
    }
  });

  it('an endpoint answering an error is a CredentialsError', async () => {
    const endpoint = await startContainerEndpoint(TEMP, 'error');
    try {
      await withEnv({ ...NO_AWS_ENV, AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url }, async () => {
        const err = assertCredentialsError(
          await caught(new SharedCredentials(credentialSettings('container')).current()),
          [TEMP.secretAccessKey],
        );
        assert.equal(err.source, 'container');
      });
      assert.ok(endpoint.hits() > 0, 'the endpoint was asked');
    } finally {
      await endpoint.close();
    }
  });
});

describe('role assumption (loopback STS via AWS_ENDPOINT_URL_STS)', () => {
  it('assumes aws_role_arn with the session name and external id, signed by the base credentials', async () => {
    const requests: { form: URLSearchParams; authorization: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push({ form: new URLSearchParams(body), authorization: String(req.headers.authorization) });
        res.setHeader('content-type', 'text/xml');
        res.end(
          '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
            '<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/db/app</Arn><AssumedRoleId>AROAEXAMPLE:app</AssumedRoleId></AssumedRoleUser>' +
            `<Credentials><AccessKeyId>${TEMP.accessKeyId}</AccessKeyId><SecretAccessKey>${TEMP.secretAccessKey}</SecretAccessKey>` +
            `<SessionToken>${TEMP.sessionToken}</SessionToken><Expiration>${new Date(Date.now() + 3_600_000).toISOString()}</Expiration></Credentials>` +
            '</AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const env = {
        ...NO_AWS_ENV,
        AWS_ACCESS_KEY_ID: ALPHA.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ALPHA.secretAccessKey,
        AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}`,
      };
      await withEnv(env, async () => {
        const config = resolvedConfig({
          aws_credentials_source: 'env',
          aws_role_arn: 'arn:aws:iam::123456789012:role/db',
          aws_role_session_name: 'app',
          aws_external_id: 'ext-123',
        });
        const token = await tokenProviderFor(config, { clock: new ManualClock(Date.now()) }).get();
        await verifyToken(token.value.reveal(), 'rds-db', 'us-east-1', TEMP);
      });
      assert.equal(requests.length, 1);
      const { form, authorization } = requests[0]!;
      assert.deepEqual(
        [form.get('Action'), form.get('RoleArn'), form.get('RoleSessionName'), form.get('ExternalId')],
        ['AssumeRole', 'arn:aws:iam::123456789012:role/db', 'app', 'ext-123'],
      );
      assert.match(authorization, new RegExp(`Credential=${ALPHA.accessKeyId}/\\d{8}/us-east-1/sts/aws4_request`));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
