// requireTestbed() must skip loudly when the test bed is deliberately off, and fail in CI when it is missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withEnv } from '../support/env.js';
import { requireTestbed } from '../support/testbed.js';

function fakeContext() {
  const skips: string[] = [];
  return { skips, skip: (message?: string) => void skips.push(message ?? '') };
}

const NO_TESTBED = { TESTBED: undefined, TESTBED_FILE: undefined, TESTBED_DIR: '/nonexistent/rdsiam-testbed' };

test('TESTBED=skip skips with a loud reason', async () => {
  const t = fakeContext();
  const tb = await withEnv({ TESTBED: 'skip', CI: undefined }, () => requireTestbed(t));
  assert.equal(tb, undefined);
  assert.equal(t.skips.length, 1);
  assert.match(t.skips[0] ?? '', /\*\*\* SKIPPED: TESTBED=skip/);
});

test('a missing test bed throws in CI instead of skipping', async () => {
  const t = fakeContext();
  await assert.rejects(
    withEnv({ ...NO_TESTBED, CI: 'true' }, () => requireTestbed(t)),
    /in CI: no TESTBED_FILE/,
  );
  assert.deepEqual(t.skips, []);
});

test('a missing test bed outside CI skips and says how to start one', async () => {
  const t = fakeContext();
  const tb = await withEnv({ ...NO_TESTBED, CI: undefined }, () => requireTestbed(t));
  assert.equal(tb, undefined);
  assert.match(t.skips[0] ?? '', /SKIPPED: .*npm run testbed:start/);
});
