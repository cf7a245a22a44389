// Aurora DSQL against the test bed's DSQL stand-in: the cluster-id shorthand and week-long tokens.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectPg, getAuthToken } from '../../src/index.js';
import { requireTestbed } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { testbedOptions } from '../support/testbed-config.js';

describe('Aurora DSQL', () => {
  test('dsql_cluster_id with iam_region names the endpoint signed for and verified, while the DSN dials the stand-in', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const [clusterId, , region] = tb.dsql.endpoint.split('.');
    const options = testbedOptions(tb, 'dsql', countingCredentials(key).provider, {
      iam_host: undefined,
      dsql_cluster_id: clusterId,
      iam_region: region,
    });
    assert.equal(options.overrides?.['iam_host'], undefined);
    const client = await connectPg(options);
    try {
      assert.equal((await client.query<{ who: string }>('SELECT current_user AS who')).rows[0]!.who, tb.dsql.adminUser);
    } finally {
      await client.end();
    }
    assert.deepEqual(
      (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).map((l) => [l.verdict, l.user]),
      [['ok', 'admin']],
    );
  });

  test('iam_expiration 604800: the DSQL token is signed for a week, and the server takes it', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const options = testbedOptions(
      tb,
      'dsql',
      countingCredentials(key).provider,
      { iam_expiration: 604_800 },
      tb.dsql.roleUser,
    );
    const token = await getAuthToken(options);
    assert.equal(new URLSearchParams(token.split('/?')[1]).get('X-Amz-Expires'), '604800');
    assert.equal(new URLSearchParams(token.split('/?')[1]).get('Action'), 'DbConnect');
    const client = await connectPg(options);
    await client.end();
    assert.deepEqual(
      (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).map((l) => l.verdict),
      ['ok'],
    );
  });
});
