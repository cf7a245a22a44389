#!/usr/bin/env node
// `npm test`: unit and integration tests in one run. Starts the local IAM test bed when it is not
// running and stops what it started. In CI (CI=true) a test bed that will not start fails the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testbedCli } from './testbed/cli-process.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const inCI = /^(1|true)$/i.test(process.env.CI ?? '');
const filters = process.argv.slice(2);

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const files = testFiles(join(root, 'test'))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
const env = { ...process.env };
let started = false;

if (process.env.TESTBED === 'skip') {
  if (inCI) {
    console.error('rdsiam: TESTBED=skip is not allowed in CI: integration tests must run.');
    process.exit(1);
  }
  console.error('\n*** rdsiam: TESTBED=skip: integration tests are SKIPPED. ***\n');
} else if (typeof process.getuid === 'function' && process.getuid() !== 0 && !inCI) {
  env.TESTBED = 'skip';
  console.error(
    '\n*** rdsiam: not running as root, so the local IAM test bed (own PostgreSQL and MariaDB servers,\n' +
      '*** a PAM module) cannot be started: integration tests are SKIPPED. Run `npm test` as root,\n' +
      '*** or start it once with `sudo npm run testbed:start` and run `npm test` again. ***\n',
  );
} else {
  let status = testbedCli('status');
  if (status.code !== 0) {
    const start = testbedCli('start');
    if (start.code === 2 && !inCI) {
      // The machine lacks packages the test bed may not install here (TESTBED_NO_INSTALL=1, no apt-get): the line
      // above says which. As when not root: the unit tests run, the integration tests are skipped, loudly.
      env.TESTBED = 'skip';
      console.error(
        '\n*** rdsiam: the local IAM test bed cannot start on this machine (see the line above):\n' +
          '*** integration tests are SKIPPED. ***\n',
      );
    } else if (start.code !== 0) {
      console.error(`rdsiam: the local IAM test bed did not start (exit ${start.code}).`);
      process.exit(1);
    } else {
      started = true;
      status = testbedCli('status');
    }
  }
  if (env.TESTBED !== 'skip') env.TESTBED_FILE = status.stateFile;
}

// The soak restarts the servers: it runs alone, after every other file has finished.
const alone = files.filter((f) => f.startsWith(join('test', 'soak')));
const together = files.filter((f) => !alone.includes(f));
const runTests = (list) =>
  list.length === 0
    ? 0
    : (spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...list], {
        cwd: root,
        env,
        stdio: 'inherit',
      }).status ?? 1);

let code = 1;
try {
  code = runTests(together);
  code = Math.max(code, runTests(alone));
} finally {
  if (started) testbedCli('stop');
}
process.exit(code);
