// The fault soak, short (30 s): test/run.mjs runs this file alone, after the others, since it restarts the servers.
// `npm run soak` is the long one (5 minutes), whose figures are in docs/reliability.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireTestbed } from '../support/testbed.js';
import { runSoak } from './soak.js';
import { soakProblems } from './verdict.js';

test('30 s of writes through restarts, a verifier outage, killed sessions and a refused token: nothing lost or applied twice', {
  timeout: 180_000,
}, async (t) => {
  const tb = await requireTestbed(t);
  if (!tb) return;
  const summary = await runSoak(tb, { seconds: 30, writers: 2, say: (line) => t.diagnostic(line) });
  t.diagnostic(JSON.stringify({ ...summary, messages: undefined }));
  assert.deepEqual(soakProblems(summary), []);
  assert.equal(summary.faults.length, 8);
});
