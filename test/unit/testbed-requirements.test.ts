// What the test bed does about a machine that lacks packages: install them, or say what to run, and why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempDir } from '../support/temp-dir.js';
import {
  cCompiler,
  installPlan,
  type MachineFacts,
  missingRequirements,
  REQUIREMENTS,
  type Requirement,
} from '../testbed/requirements.js';

const need = (what: string): Requirement => {
  const found = REQUIREMENTS.find((r) => r.what === what);
  assert.ok(found, what);
  return found;
};
const compiler = need('a C compiler');
const postgres = need('the PostgreSQL server');
const mariadb = need('the MariaDB server');
const openssl = need('openssl');
const newcomer: MachineFacts = { missing: [compiler], root: true, aptGet: true, env: {} };
const refusal = (facts: MachineFacts) => {
  const plan = installPlan(facts);
  assert.equal(plan.action, 'refuse', JSON.stringify(plan));
  return plan.action === 'refuse' ? plan.message : '';
};

test('the one list names a Debian package for each thing the test bed needs', () => {
  assert.deepEqual(
    REQUIREMENTS.map((r) => [r.what, r.packages]),
    [
      ['the PostgreSQL server', ['postgresql']],
      ['the MariaDB server', ['mariadb-server']],
      ['a C compiler', ['gcc', 'libc6-dev']],
      ['openssl', ['openssl']],
    ],
  );
});

test('nothing missing: nothing to do, whoever runs it and wherever', () => {
  for (const root of [true, false])
    for (const aptGet of [true, false])
      for (const env of [{}, { CI: 'true' }, { TESTBED_NO_INSTALL: '1' }])
        assert.deepEqual(installPlan({ missing: [], root, aptGet, env }), { action: 'none' });
});

test('root with apt-get outside CI: installs every missing package once, after one line saying which and why', () => {
  const plan = installPlan({ ...newcomer, missing: [postgres, compiler, mariadb, openssl] });
  assert.deepEqual(plan, {
    action: 'install',
    packages: ['postgresql', 'gcc', 'libc6-dev', 'mariadb-server', 'openssl'],
    announcement:
      'the test bed needs the PostgreSQL server, a C compiler, the MariaDB server, openssl: ' +
      'installing postgresql gcc libc6-dev mariadb-server openssl with apt-get',
  });
  // CI and TESTBED_NO_INSTALL turn it off only with their "on" values.
  for (const env of [{ CI: 'false' }, { CI: '' }, { TESTBED_NO_INSTALL: '0' }, { TESTBED_NO_INSTALL: '' }])
    assert.equal(installPlan({ ...newcomer, env }).action, 'install', JSON.stringify(env));
});

test('not root: the exact sudo apt-get line, and nothing installed', () => {
  assert.equal(
    refusal({ ...newcomer, root: false }),
    'the test bed needs a C compiler; not root, so it installs nothing; run: ' +
      '`sudo apt-get update && sudo apt-get install -y --no-install-recommends gcc libc6-dev`',
  );
});

test('in CI it installs nothing (.ci/run does) and fails with the line instead', () => {
  for (const CI of ['true', 'TRUE', '1']) {
    const message = refusal({ ...newcomer, env: { CI } });
    assert.match(message, /CI is set, so it installs nothing \(\.ci\/run installs first\)/);
    assert.match(message, /`apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev`$/);
  }
});

test('TESTBED_NO_INSTALL=1 turns installing off and says what to run', () => {
  assert.equal(
    refusal({ ...newcomer, missing: [openssl], env: { TESTBED_NO_INSTALL: '1' } }),
    'the test bed needs openssl; TESTBED_NO_INSTALL=1, so it installs nothing; run: ' +
      '`apt-get update && apt-get install -y --no-install-recommends openssl`',
  );
});

test('no apt-get: it names the Debian packages, installing nothing, root or not', () => {
  for (const root of [true, false])
    assert.match(refusal({ ...newcomer, root, aptGet: false }), /no apt-get here.*install -y .*gcc libc6-dev`$/);
});

test('with nothing on PATH, the compiler and openssl are missing (found for real where the test bed runs)', async () => {
  const empty = tempDir('rdsiam-path-');
  assert.equal(await cCompiler(empty), undefined);
  const missing = (await missingRequirements(empty)).map((r) => r.what);
  assert.ok(missing.includes('a C compiler') && missing.includes('openssl'), missing.join(', '));
});
