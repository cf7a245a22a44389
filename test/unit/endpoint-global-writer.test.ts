// The writer region of an Aurora global database endpoint, looked up with the real @aws-sdk/client-rds against a
// loopback fake of the RDS Query API (AWS_ENDPOINT_URL_RDS): what is asked, how it is cached, how it fails.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { CredentialsError, EndpointError, RdsIamError } from '../../src/errors.js';
import { lazyPackage, missingPackage } from '../../src/optional-package.js';
import type { AwsCredentials } from '../../src/aws-credentials.js';
import { tokenProviderFor } from '../../src/token/token-provider.js';
import { FakeRdsApi, fakeRdsApiForThisFile } from '../support/fake-rds-api.js';
import { collect } from '../support/events.js';
import { resolvedConfig } from '../support/resolved-config.js';
import { tokenDeps, type TestTokenDeps } from '../support/token-deps.js';

const ENDPOINT = 'orders.global-abc123xyz.global.rds.amazonaws.com';
const arn = (region: string, name = 'orders-1') => `arn:aws:rds:${region}:123456789012:cluster:${name}`;
const KEY: AwsCredentials = {
  accessKeyId: 'AKIAGLOBALLOOKUP0001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSecretKey1',
};

const api = fakeRdsApiForThisFile();
beforeEach(() => {
  api.calls.length = 0;
  api.clusters = [
    {
      identifier: 'orders',
      endpoint: ENDPOINT,
      members: [
        { arn: arn('eu-west-1', 'orders-eu'), isWriter: false },
        { arn: arn('us-west-2', 'orders-us'), isWriter: true },
      ],
    },
  ];
});

/** A fresh clock per test: its own token cache and its own writer-region store. Tokens name the region they were signed for. */
const deps = (): TestTokenDeps => tokenDeps(async () => ({ ...KEY }));

function globalConfig(extra: Parameters<typeof resolvedConfig>[0] = {}) {
  return resolvedConfig({ host: ENDPOINT, iam_global_region: 'eu-central-1', iam_global_ttl_s: 60, ...extra });
}

async function rejection(promise: Promise<unknown>): Promise<RdsIamError> {
  const err = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RdsIamError, `expected an RdsIamError, got ${inspect(err)}`);
  // Whatever the failure, the secret key never shows, nor the access key id.
  const text = `${err.message} ${inspect(err, { depth: 5 })}`;
  assert.doesNotMatch(text, /SecretKey1|AKIAGLOBALLOOKUP0001/);
  return err;
}

describe('global endpoint: the writer region', () => {
  it('is the region of the writer member, asked of DescribeGlobalClusters in iam_global_region with the token credentials', async () => {
    const d = deps();
    const source = tokenProviderFor(globalConfig(), d);
    const target = await source.target();
    assert.deepEqual(
      [target.host, target.region, target.regionFrom],
      [ENDPOINT, 'us-west-2', 'DescribeGlobalClusters'],
    );
    assert.deepEqual(api.calls, [
      {
        action: 'DescribeGlobalClusters',
        params: { Action: 'DescribeGlobalClusters', Version: '2014-10-31', GlobalClusterIdentifier: 'orders' },
        accessKeyId: KEY.accessKeyId,
        signingRegion: 'eu-central-1',
        service: 'rds',
      },
    ]);
    const token = await source.get();
    assert.match(token.value.reveal(), /region=us-west-2/);
    assert.equal(token.target.region, 'us-west-2');
  });

  it('is iam_region when set, with no API call', async () => {
    const target = await tokenProviderFor(globalConfig({ iam_region: 'ap-south-1' }), deps()).target();
    assert.deepEqual([target.region, target.regionFrom], ['ap-south-1', 'iam_region']);
    assert.equal(api.calls.length, 0);
  });

  it('is reused for iam_global_ttl_s, then looked up again', async () => {
    const d = deps();
    const source = tokenProviderFor(globalConfig({ iam_global_ttl_s: 60 }), d);
    await source.get();
    d.clock.advance(59_999);
    assert.equal((await source.get()).fromCache, true);
    assert.equal(api.calls.length, 1);
    api.clusters[0]!.members = [
      { arn: arn('us-west-2', 'orders-us'), isWriter: false },
      { arn: arn('eu-west-1', 'orders-eu'), isWriter: true },
    ];
    d.clock.advance(1);
    const after = await source.get();
    assert.deepEqual([after.target.region, after.fromCache, api.calls.length], ['eu-west-1', false, 2]);
  });

  it('is looked up once for 50 concurrent cold connects', async () => {
    const d = deps();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => tokenProviderFor(globalConfig(), d).get()));
    assert.equal(api.calls.length, 1);
    assert.equal(d.signer.signings, 1);
    assert.ok(tokens.every((t) => t.target.region === 'us-west-2'));
  });

  it('is looked up again after a refusal, once for many refused callers, and a retry is worth it only if it moved', async () => {
    const d = deps();
    const source = tokenProviderFor(globalConfig(), d);
    const stale = await source.get();
    const { events, stop } = collect('rdsiam:global:writer-region');
    try {
      // The writer has not moved: a fresh token refused would be refused again.
      assert.equal(await source.refused(stale), false);
      assert.equal(api.calls.length, 2);
      const unmoved = await source.get();
      for (const m of api.clusters[0]!.members.reverse()) m.isWriter = !m.isWriter;
      const answers = await Promise.all(Array.from({ length: 20 }, () => source.refused(unmoved)));
      assert.ok(answers.every((a) => a === true));
      assert.equal(api.calls.length, 3, 'twenty refusals, one lookup');
      // A refusal that arrives after the new region is known makes no call.
      assert.equal(await source.refused(unmoved), true);
      assert.equal(api.calls.length, 3);
      assert.equal((await source.get()).target.region, 'eu-west-1');
      assert.deepEqual(
        events.map((e) => [e.region, e.previousRegion, e.homeRegion]),
        [
          ['us-west-2', 'us-west-2', 'eu-central-1'],
          ['eu-west-1', 'us-west-2', 'eu-central-1'],
        ],
      );
    } finally {
      stop();
    }
  });

  it('keeps the last known region when a lookup after the TTL fails, and says so', async () => {
    const d = deps();
    const source = tokenProviderFor(globalConfig(), d);
    await source.get();
    d.clock.advance(60_000);
    api.fail({ kind: 'error', status: 403, code: 'AccessDenied', message: 'User is not authorized' });
    const { events, stop } = collect('rdsiam:global:lookup-failed');
    try {
      assert.equal((await source.target()).region, 'us-west-2');
      assert.deepEqual(
        events.map((e) => e.servedStale),
        [true],
      );
      // Asked again only after a pause, not on every connect.
      await source.target();
      assert.equal(api.calls.length, 2);
      d.clock.advance(10_000);
      await source.target();
      assert.equal(api.calls.length, 3);
    } finally {
      stop();
    }
  });
});

describe('global endpoint: lookup failures', () => {
  const lookupOf = (d = deps(), extra: Parameters<typeof resolvedConfig>[0] = {}) =>
    tokenProviderFor(globalConfig(extra), d).get();

  it('AccessDenied is a CredentialsError naming the permission and the way around it', async () => {
    api.fail({
      kind: 'error',
      status: 403,
      code: 'AccessDenied',
      message: `User: arn:aws:sts::123456789012:assumed-role/app/i-0abc is not authorized to perform: rds:DescribeGlobalClusters`,
    });
    const err = await rejection(lookupOf());
    assert.ok(err instanceof CredentialsError);
    assert.match(
      err.message,
      /DescribeGlobalClusters in eu-central-1 \(iam_global_region\) was denied \(AccessDenied\)/,
    );
    assert.match(err.message, /needs rds:DescribeGlobalClusters on arn:aws:rds::<account>:global-cluster:orders/);
    assert.match(err.message, /set iam_region/);
    assert.equal(err.source, 'chain');
  });

  it('invalid credentials are a CredentialsError', async () => {
    api.fail({
      kind: 'error',
      status: 403,
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    });
    const err = await rejection(lookupOf());
    assert.ok(err instanceof CredentialsError);
    assert.match(err.message, /did not accept the AWS credentials \(InvalidClientTokenId\)/);
  });

  it('throttling is retried by the SDK, and an EndpointError when it persists', async () => {
    const throttled = { kind: 'error', status: 400, code: 'Throttling', message: 'Rate exceeded' } as const;
    api.fail(throttled);
    assert.equal((await lookupOf()).target.region, 'us-west-2');
    assert.equal(api.calls.length, 2);
    api.fail(throttled, throttled, throttled);
    const err = await rejection(lookupOf());
    assert.ok(err instanceof EndpointError);
    assert.match(err.message, /was throttled \(Throttling\) \(3 attempts\).*Raise iam_global_ttl_s/);
  });

  it('no global cluster of that name is an EndpointError', async () => {
    api.clusters = [];
    const err = await rejection(lookupOf());
    assert.ok(err instanceof EndpointError);
    assert.match(err.message, /knows no global cluster named orders \(the first label of orders\.global-abc123xyz/);
  });

  it('a cluster whose writer endpoint is another host is an EndpointError', async () => {
    api.clusters[0]!.endpoint = 'orders.global-other999.global.rds.amazonaws.com';
    const err = await rejection(lookupOf());
    assert.ok(err instanceof EndpointError);
    assert.match(
      err.message,
      /found no global cluster whose writer endpoint is orders\.global-abc123xyz\.global\.rds\.amazonaws\.com; it answered orders \(orders\.global-other999/,
    );
    assert.match(err.message, /credentials belong to the global database's account/);
  });

  it('no writer member (a failover under way) is an EndpointError', async () => {
    api.clusters[0]!.status = 'failing-over';
    for (const m of api.clusters[0]!.members) m.isWriter = false;
    const err = await rejection(lookupOf());
    assert.ok(err instanceof EndpointError);
    assert.match(
      err.message,
      /Global cluster orders \(status failing-over, .*\) lists no writer member right now.*Retry shortly/,
    );
  });

  it('an API that cannot be reached is an EndpointError after the SDK retries', async () => {
    const closed = new FakeRdsApi();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    process.env.AWS_ENDPOINT_URL_RDS = url;
    try {
      const err = await rejection(lookupOf());
      assert.ok(err instanceof EndpointError);
      assert.match(
        err.message,
        /Could not reach DescribeGlobalClusters in eu-central-1 \(iam_global_region\) \(3 attempts\).*ECONNREFUSED/,
      );
      assert.match(err.message, /AWS_ENDPOINT_URL_RDS/);
    } finally {
      process.env.AWS_ENDPOINT_URL_RDS = api.url;
    }
  });

  it('an API that hangs is cut off after connect_timeout_ms', async () => {
    api.fail({ kind: 'hang' });
    const err = await rejection(lookupOf(deps(), { connect_timeout_ms: 300 }));
    assert.ok(err instanceof EndpointError);
    assert.match(
      err.message,
      /did not answer within 300 ms \(connect_timeout_ms\), looking up the writer region of orders\.global/,
    );
  });

  it('a failed lookup is not cached: the next connect asks again', async () => {
    const d = deps();
    api.fail(
      { kind: 'error', status: 500, code: 'InternalFailure', message: 'oops' },
      { kind: 'error', status: 500, code: 'InternalFailure', message: 'oops' },
      { kind: 'error', status: 500, code: 'InternalFailure', message: 'oops' },
    );
    const err = await rejection(lookupOf(d));
    assert.match(err.message, /failed \(3 attempts\), looking up the writer region.*InternalFailure/);
    assert.equal((await lookupOf(d)).target.region, 'us-west-2');
  });
});

describe('lazyPackage', () => {
  it('names the missing package, what it is for and how to install it, and tries again next time', async () => {
    let tries = 0;
    const load = lazyPackage(
      () => undefined,
      async () => {
        tries++;
        const missing = Object.assign(new Error("Cannot find package '@aws-sdk/client-rds'"), {
          code: 'ERR_MODULE_NOT_FOUND',
        });
        return Promise.reject(missing).catch(missingPackage('@aws-sdk/client-rds', 'to look up the writer region'));
      },
    );
    const err = await rejection(load());
    assert.equal(
      err.message,
      `rdsiam needs the "@aws-sdk/client-rds" package to look up the writer region: run \`npm install @aws-sdk/client-rds\`. (Cannot find package '@aws-sdk/client-rds')`,
    );
    await rejection(load());
    assert.equal(tries, 2);
  });
});
