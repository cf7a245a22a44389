import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveTokenTarget } from '../../src/endpoint/target.js';
import { SdkTokenSigner } from '../../src/token/signers.js';
import { countingCredentials, EXAMPLE_KEYS } from '../support/credentials.js';
import { DSQL_HOST, RDS_HOST } from '../support/hosts.js';
import { resolvedConfig } from '../support/resolved-config.js';
import { verifyToken } from '../support/verify-token.js';

const SESSION = {
  ...EXAMPLE_KEYS,
  accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  sessionToken: 'FwoGZXIvYXdzEXAMPLE//session+token=',
};

describe('SdkTokenSigner: plugin iam (@aws-sdk/rds-signer)', () => {
  it('produces a token whose SigV4 signature recomputes from its own date', async () => {
    const target = resolveTokenTarget(resolvedConfig({ port: 5432, user: 'app_user' }));
    const token = await new SdkTokenSigner(countingCredentials(EXAMPLE_KEYS).provider).sign(target, 840);
    const checked = await verifyToken(token, 'rds-db', 'us-east-1', EXAMPLE_KEYS);
    assert.equal(checked.host, RDS_HOST);
    assert.equal(checked.port, '5432');
    assert.equal(checked.params.Action, 'connect');
    assert.equal(checked.params.DBUser, 'app_user');
    assert.equal(checked.params['X-Amz-Expires'], '900');
    assert.match(
      checked.params['X-Amz-Credential'] ?? '',
      /^AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/rds-db\/aws4_request$/,
    );
    assert.equal(checked.hasSessionToken, false);
  });

  it('fails verification with another secret key (the check can fail)', async () => {
    const target = resolveTokenTarget(resolvedConfig({}));
    const token = await new SdkTokenSigner(countingCredentials(EXAMPLE_KEYS).provider).sign(target, 840);
    await assert.rejects(
      verifyToken(token, 'rds-db', 'us-east-1', {
        ...EXAMPLE_KEYS,
        secretAccessKey: `${EXAMPLE_KEYS.secretAccessKey.slice(0, -1)}X`,
      }),
      /does not match/,
    );
    await assert.rejects(verifyToken(token, 'rds-db', 'eu-west-1', EXAMPLE_KEYS), /does not match/);
  });

  it('carries the session token of temporary credentials, inside the signature', async () => {
    const target = resolveTokenTarget(resolvedConfig({ iam_region: 'eu-west-1', iam_default_port: 6000 }));
    const token = await new SdkTokenSigner(countingCredentials(SESSION).provider).sign(target, 840);
    const checked = await verifyToken(token, 'rds-db', 'eu-west-1', SESSION);
    assert.equal(checked.hasSessionToken, true);
    assert.equal(checked.port, '6000');
    await assert.rejects(
      verifyToken(token, 'rds-db', 'eu-west-1', { ...SESSION, sessionToken: 'other' }),
      /does not match/,
    );
  });

  it('signs for a MySQL target on its own port', async () => {
    const target = resolveTokenTarget(resolvedConfig({ engine: 'mysql', user: 'report' }));
    const checked = await verifyToken(
      await new SdkTokenSigner(countingCredentials(EXAMPLE_KEYS).provider).sign(target, 840),
      'rds-db',
      'us-east-1',
      EXAMPLE_KEYS,
    );
    assert.deepEqual([checked.port, checked.params.DBUser], ['3306', 'report']);
  });
});

describe('SdkTokenSigner: plugin iam_dsql (@aws-sdk/dsql-signer)', () => {
  const dsql = (user: string) => resolveTokenTarget(resolvedConfig({ host: DSQL_HOST, plugin: 'iam_dsql', user }));

  it('signs DbConnectAdmin for admin and DbConnect for other users, for the cache lifetime plus a margin', async () => {
    const signer = new SdkTokenSigner(countingCredentials(EXAMPLE_KEYS).provider);
    const admin = await verifyToken(await signer.sign(dsql('admin'), 3600), 'dsql', 'us-east-1', EXAMPLE_KEYS);
    assert.equal(admin.params.Action, 'DbConnectAdmin');
    assert.equal(admin.params['X-Amz-Expires'], '3660');
    assert.equal(admin.host, DSQL_HOST);
    assert.equal(admin.port, '');
    const user = await verifyToken(await signer.sign(dsql('reader'), 900), 'dsql', 'us-east-1', EXAMPLE_KEYS);
    assert.equal(user.params.Action, 'DbConnect');
    assert.equal(user.params['X-Amz-Expires'], '960');
    assert.equal(user.params.DBUser, undefined);
  });

  it('never asks for more than the one week SigV4 allows', async () => {
    const token = await new SdkTokenSigner(countingCredentials(EXAMPLE_KEYS).provider).sign(dsql('admin'), 604_800);
    assert.equal((await verifyToken(token, 'dsql', 'us-east-1', EXAMPLE_KEYS)).params['X-Amz-Expires'], '604800');
  });
});

describe('SdkTokenSigner: credentials', () => {
  it('asks the one shared provider for credentials on every signing', async () => {
    const creds = countingCredentials(EXAMPLE_KEYS);
    const signer = new SdkTokenSigner(creds.provider);
    const target = resolveTokenTarget(resolvedConfig({}));
    await signer.sign(target, 840);
    await signer.sign(target, 840);
    await signer.sign(resolveTokenTarget(resolvedConfig({ user: 'other' })), 840);
    assert.equal(creds.calls(), 3);
  });
});
