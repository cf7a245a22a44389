import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planTokenTarget, resolveTokenTarget } from '../../src/endpoint/target.js';
import { EndpointError } from '../../src/errors.js';
import { DSQL_HOST, RDS_HOST } from '../support/hosts.js';
import { resolvedConfig } from '../support/resolved-config.js';

function refusal(fn: () => unknown): EndpointError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof EndpointError, `expected an EndpointError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an EndpointError, but nothing was thrown');
}

describe('resolveTokenTarget: port', () => {
  it('takes iam_default_port over the DSN port over the engine default', () => {
    assert.equal(resolveTokenTarget(resolvedConfig({ port: 6543, iam_default_port: 7000 })).port, 7000);
    assert.equal(resolveTokenTarget(resolvedConfig({ port: 6543 })).port, 6543);
    assert.equal(resolveTokenTarget(resolvedConfig({})).port, 5432);
    assert.equal(resolveTokenTarget(resolvedConfig({ engine: 'mysql' })).port, 3306);
    assert.equal(resolveTokenTarget(resolvedConfig({ host: DSQL_HOST, plugin: 'iam_dsql' })).port, 5432);
  });
});

describe('resolveTokenTarget: host, region, user', () => {
  it('signs for the DSN host and its region by default', () => {
    const t = resolveTokenTarget(
      resolvedConfig({ host: 'MyDB.C9AKCIQ32.US-EAST-1.RDS.AMAZONAWS.COM.', user: 'alice' }),
    );
    assert.deepEqual(
      { plugin: t.plugin, engine: t.engine, host: t.host, region: t.region, user: t.user, kind: t.endpoint.kind },
      { plugin: 'iam', engine: 'postgres', host: RDS_HOST, region: 'us-east-1', user: 'alice', kind: 'instance' },
    );
  });

  it('signs for iam_host while the DSN connects through a custom host', () => {
    const t = resolveTokenTarget(
      resolvedConfig({ host: 'localhost', port: 15432, iam_host: RDS_HOST, iam_default_port: 5432 }),
    );
    assert.equal(t.host, RDS_HOST);
    assert.equal(t.port, 5432);
    assert.equal(t.region, 'us-east-1');
  });

  it('takes iam_region over the region in the host', () => {
    assert.equal(resolveTokenTarget(resolvedConfig({ iam_region: 'eu-west-1' })).region, 'eu-west-1');
  });

  it('plans a lookup of the writer region for a global endpoint without iam_region', () => {
    const host = 'app.global-abc123xyz.global.rds.amazonaws.com';
    const plan = planTokenTarget(
      resolvedConfig({ host, iam_global_region: 'eu-central-1', iam_global_ttl_s: 120, connect_timeout_ms: 2500 }),
    );
    assert.equal(plan.kind, 'global');
    assert.deepEqual(plan.kind === 'global' && plan.lookup, {
      endpoint: host,
      homeRegion: 'eu-central-1',
      ttlMs: 120_000,
      timeoutMs: 2500,
    });
    assert.deepEqual(plan.kind === 'global' && [plan.base.host, plan.base.port, plan.base.user], [
      host,
      5432,
      'app_user',
    ]);
    // The synchronous form cannot look anything up: it says where the region comes from.
    const err = refusal(() => resolveTokenTarget(resolvedConfig({ host })));
    assert.match(
      err.message,
      /global database endpoint, which names no region: the writer's region is looked up with DescribeGlobalClusters/,
    );
    assert.match(err.message, /or set iam_region/);
    const pinned = resolveTokenTarget(resolvedConfig({ host, iam_region: 'us-west-2' }));
    assert.deepEqual([pinned.region, pinned.regionFrom], ['us-west-2', 'iam_region']);
  });

  it('accepts an unrecognised iam_host only together with iam_region', () => {
    const err = refusal(() => resolveTokenTarget(resolvedConfig({ iam_host: 'db.internal.example.com' })));
    assert.match(err.message, /iam_host "db\.internal\.example\.com"/);
    assert.match(err.message, /iam_region/);
    const t = resolveTokenTarget(resolvedConfig({ iam_host: 'db.internal.example.com', iam_region: 'eu-central-1' }));
    assert.deepEqual([t.host, t.region, t.endpoint.kind], ['db.internal.example.com', 'eu-central-1', 'other']);
  });

  it('refuses an IP iam_host even with iam_region', () => {
    const err = refusal(() => resolveTokenTarget(resolvedConfig({ iam_host: '10.1.2.3', iam_region: 'us-east-1' })));
    assert.match(err.message, /iam_host 10\.1\.2\.3.*IP address/);
  });
});

describe('resolveTokenTarget: hosts a token cannot name', () => {
  for (const host of ['8.8.8.8', '::1', 'a.b', 'https://foo.com/abc.html', 'foo.boo//', '<>', 'localhost']) {
    it(`refuses DSN host ${JSON.stringify(host)} without iam_host, saying to set it`, () => {
      const err = refusal(() => resolveTokenTarget(resolvedConfig({ host })));
      assert.match(err.message, /Set iam_host|set iam_host/);
      assert.equal(err.code, 'RDSIAM_ENDPOINT');
    });
  }

  it('names where the offending value came from', () => {
    const err = refusal(() =>
      resolveTokenTarget(
        resolvedConfig({ host: '8.8.8.8', origins: { dsn: { kind: 'env', variable: 'DATABASE_URL' } } }),
      ),
    );
    assert.match(err.message, /8\.8\.8\.8 \(from DATABASE_URL\)/);
  });
});

describe('resolveTokenTarget: plugins', () => {
  it('refuses iam_dsql with an RDS host and iam with a DSQL host', () => {
    assert.match(refusal(() => resolveTokenTarget(resolvedConfig({ plugin: 'iam_dsql' }))).message, /Use plugin iam /);
    assert.match(refusal(() => resolveTokenTarget(resolvedConfig({ host: DSQL_HOST }))).message, /Use plugin iam_dsql/);
  });

  it('refuses a config with no IAM plugin (the config layer refuses both at once)', () => {
    assert.match(refusal(() => resolveTokenTarget(resolvedConfig({ plugin: undefined }))).message, /no IAM plugin/);
  });

  it('resolves a DSQL target', () => {
    const t = resolveTokenTarget(resolvedConfig({ host: DSQL_HOST, plugin: 'iam_dsql', user: 'admin' }));
    assert.deepEqual([t.plugin, t.region, t.user, t.endpoint.kind], ['iam_dsql', 'us-east-1', 'admin', 'dsql']);
  });
});
