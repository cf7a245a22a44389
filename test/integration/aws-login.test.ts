// An `aws login` session, end to end: the rdsiam CLI, in a process of its own, finds the profile's session in
// ~/.aws/login/cache through the SDK's default chain, signs with it, and the test bed's servers accept the login.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loginHome } from '../support/aws-login.js';
import { spawnCli } from '../support/cli.js';
import { testbedEnv } from '../support/testbed-config.js';
import { requireTestbed } from '../support/testbed.js';

describe('aws login sessions against the test bed', () => {
  for (const engine of ['postgres', 'mysql'] as const) {
    test(`${engine}: rdsiam check --connect logs in with the session of aws_profile`, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey({ kind: 'temporary' });
      assert.ok(key.sessionToken, 'a temporary key, as a login session holds');
      const { home } = loginHome('dev', { ...key, sessionToken: key.sessionToken }, 3_600_000);
      // The test bed's settings, without its keys in the environment: only the login cache has credentials.
      const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, ...settings } = testbedEnv(tb, engine, key);
      const r = await spawnCli(['check', '--connect', '--json'], {
        ...settings,
        HOME: home,
        RDSIAM_AWS_PROFILE: 'dev',
      });
      assert.equal(r.code, 0, r.out + r.err);
      const report = JSON.parse(r.out);
      assert.equal(report.connect.ok, true);
      assert.equal(report.credentials.source, 'chain');
      for (const secret of [key.secretAccessKey, key.sessionToken]) assert.ok(!(r.out + r.err).includes(secret));
    });
  }
});
