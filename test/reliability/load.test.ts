// Load: 500 concurrent connects against the test bed (max_connections 600 there), on a cold cache.
// Every connect succeeds or fails with a clear error, and exactly one token is signed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectFromConfig } from '../../src/index.js';
import { requireTestbed } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { collect } from '../support/events.js';
import { testbedOptions, type Server } from '../support/testbed-config.js';

const CONNECTS = 500;

describe('load', () => {
  for (const server of ['postgres', 'mysql'] as const satisfies readonly Server[]) {
    test(`${CONNECTS} concurrent connects to ${server}: one signing, every outcome clear`, {
      timeout: 180_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const creds = countingCredentials(key);
      const signed = collect('rdsiam:token:signed');
      const options = testbedOptions(tb, server, creds.provider, { connect_timeout_ms: 60_000 });
      const results = await Promise.allSettled(Array.from({ length: CONNECTS }, () => connectFromConfig(options)));
      signed.stop();
      await Promise.all(
        results.map((r) =>
          r.status === 'fulfilled' ? (r.value as unknown as { end(): Promise<void> }).end() : undefined,
        ),
      );
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const f of failures) {
        assert.ok(f.reason instanceof Error && f.reason.message.length > 0, `an unclear failure: ${String(f.reason)}`);
      }
      // On this machine all of them connect; a failure would be reported above with its message.
      assert.deepEqual(
        failures.map((f) => (f.reason as Error).message),
        [],
      );
      assert.equal(signed.events.length, 1);
      assert.equal(creds.calls(), 1);
      const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
      assert.equal(logins.filter((l) => l.verdict === 'ok').length, CONNECTS);
    });
  }
});
