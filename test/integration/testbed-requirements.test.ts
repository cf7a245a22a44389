// The requirement checks against a machine that runs the test bed: they must find everything it uses there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireTestbed } from '../support/testbed.js';
import { cCompiler, missingRequirements } from '../testbed/requirements.js';

test('where the test bed runs, no requirement is reported missing and a C compiler is found', async (t) => {
  if (!(await requireTestbed(t))) return;
  assert.deepEqual(
    (await missingRequirements()).map((r) => r.what),
    [],
  );
  assert.match((await cCompiler()) ?? 'none', /^(gcc|cc)$/);
});
