// The Aurora DSQL cluster-id shorthand, as AWS's DSQL connectors take it: a bare cluster id as the DSN host, or
// dsql_cluster_id naming the endpoint while the DSN dials something else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectPlanFor } from '../../src/drivers/plan.js';
import { tlsPlanFor } from '../../src/drivers/tls.js';
import { endpointNames } from '../../src/endpoint/names.js';
import { resolveTokenTarget } from '../../src/endpoint/target.js';
import { ConfigError, EndpointError } from '../../src/errors.js';
import { resolvedConfig } from '../support/resolved-config.js';

const ID = 'abcdefghijklmnopqrstuvwxyz';
const dsql = (extra: Parameters<typeof resolvedConfig>[0]) => resolvedConfig({ plugins: ['iam_dsql'], user: 'admin', ...extra });

describe('a bare DSQL cluster id as the DSN host', () => {
  it('expands to <id>.dsql.<iam_region>.on.aws: dialled, signed for and checked in the certificate', async () => {
    const config = dsql({ host: ID, iam_region: 'eu-west-1' });
    const endpoint = `${ID}.dsql.eu-west-1.on.aws`;
    assert.deepEqual(endpointNames(config), { connectHost: endpoint, iamHost: endpoint, iamHostKey: 'dsn' });
    assert.equal(connectPlanFor(config).host, endpoint);
    assert.equal((await tlsPlanFor(config))?.verifyName, endpoint);
    const target = resolveTokenTarget(config);
    assert.deepEqual([target.host, target.region, target.regionFrom, target.endpoint.kind], [endpoint, 'eu-west-1', 'iam_region', 'dsql']);
  });

  it('reads a cluster id in capitals as the same id', () => {
    assert.equal(endpointNames(dsql({ host: ID.toUpperCase(), iam_region: 'us-east-2' })).connectHost, `${ID}.dsql.us-east-2.on.aws`);
  });

  it('needs iam_region, saying which endpoint it would name', () => {
    assert.throws(
      () => endpointNames(dsql({ host: ID, sources: { dsn: { kind: 'env', variable: 'DATABASE_URL' } } })),
      (err: unknown) =>
        err instanceof EndpointError &&
        err.message === `The DSN host ${ID} (from DATABASE_URL) is an Aurora DSQL cluster id; set iam_region to name its endpoint ${ID}.dsql.<region>.on.aws, or write that endpoint as the DSN host.`,
    );
  });

  it('a one-label host of another shape is a ConfigError on dsn showing the expected shape', () => {
    for (const host of ['abcdefghijklmnopqrstuvwxy', 'abcdefghijklmnopqrstuvwxyz0', 'mycluster', 'localhost', 'abcdefghijklm-opqrstuvwxyz']) {
      assert.throws(
        () => endpointNames(dsql({ host, iam_region: 'us-east-1', sources: { dsn: { kind: 'env', variable: 'RDSIAM_DSN' } } })),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.deepEqual(err.issues.map((i) => [i.path, i.source]), [['dsn', { kind: 'env', variable: 'RDSIAM_DSN' }]]);
          assert.match(
            err.message,
            new RegExp(`dsn \\(from RDSIAM_DSN\\): has host "${host}", which is neither an Aurora DSQL cluster id \\(26 lowercase letters and digits, e\\.g\\. abcdefghijklmnopqrstuvwxyz\\) nor a DSQL endpoint`),
          );
          assert.match(err.message, /set iam_host or dsql_cluster_id/);
          return true;
        },
      );
    }
  });

  it('is only a shorthand with iam_dsql, and a one-label alias is fine once iam_host names the endpoint', () => {
    assert.equal(endpointNames(resolvedConfig({ host: ID, iam_region: 'us-east-1' })).connectHost, ID);
    const viaTunnel = dsql({ host: 'localhost', iam_host: `${ID}.dsql.us-east-1.on.aws` });
    assert.deepEqual(endpointNames(viaTunnel), { connectHost: 'localhost', iamHost: `${ID}.dsql.us-east-1.on.aws`, iamHostKey: 'iam_host' });
  });

  it('takes the region from a full DSQL host name', () => {
    const target = resolveTokenTarget(dsql({ host: `${ID}.dsql.ap-northeast-1.on.aws` }));
    assert.deepEqual([target.region, target.regionFrom], ['ap-northeast-1', 'host']);
  });
});

describe('dsql_cluster_id', () => {
  it('names the endpoint signed for and checked, while the DSN host stays the place to connect', async () => {
    const config = dsql({ host: 'localhost', port: 15435, dsql_cluster_id: ID, iam_region: 'us-west-2' });
    const endpoint = `${ID}.dsql.us-west-2.on.aws`;
    assert.deepEqual(endpointNames(config), { connectHost: 'localhost', iamHost: endpoint, iamHostKey: 'dsql_cluster_id' });
    assert.deepEqual([connectPlanFor(config).host, connectPlanFor(config).port], ['localhost', 15435]);
    assert.equal((await tlsPlanFor(config))?.verifyName, endpoint);
    const target = resolveTokenTarget(config);
    assert.deepEqual([target.host, target.region, target.port], [endpoint, 'us-west-2', 15435]);
  });

  it('with plugin iam is refused by the endpoint rules like any DSQL host', () => {
    assert.throws(
      () => resolveTokenTarget(resolvedConfig({ host: 'localhost', dsql_cluster_id: ID, iam_region: 'us-west-2' })),
      (err: unknown) => err instanceof EndpointError && /^dsql_cluster_id .* is an Aurora DSQL endpoint, but the plugin is iam/.test(err.message),
    );
  });
});
