// A newcomer's first commands in a clone that other users cannot traverse (a home directory of mode 700, a
// `mktemp -d`): npm ci, npm test (which starts and stops its own test bed) and npm run demo. The servers run as the
// postgres and mysql users, so the test bed keeps its work dir outside the clone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { tempDir } from '../support/temp-dir.js';
import { requireTestbed } from '../support/testbed.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout: 300_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, out: `${stdout}${stderr}` }),
    );
  });
}

test('npm ci, npm test and npm run demo work in a clone inside a mode-700 directory', {
  timeout: 900_000,
}, async (t) => {
  // Root and the test bed's packages are what the clone's own test bed needs too; same skip rules as every integration test.
  if (!(await requireTestbed(t))) return;
  const outer = tempDir('rdsiam-private-');
  const clone = join(outer, 'rdsiam');
  // The clone's runs start their own test bed: not the one this run uses.
  const { TESTBED_FILE: _file, TESTBED_DIR: _dir, ...env } = process.env;
  try {
    assert.equal((await stat(outer)).mode & 0o777, 0o700);
    // The working tree as git sees it (tracked and new files, no ignored ones): a clone of what is under test.
    const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT, env);
    assert.equal(listed.code, 0, listed.out);
    for (const file of listed.out.split('\0').filter(Boolean)) {
      await mkdir(dirname(join(clone, file)), { recursive: true });
      await copyFile(join(ROOT, file), join(clone, file)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e; // deleted in the working tree, not yet in the index
      });
    }
    const steps: Array<[string, string[]]> = [
      ['npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund']],
      ['npm', ['test', '--', 'test/integration/testbed.test.ts']],
      ['npm', ['run', 'demo']],
    ];
    for (const [command, args] of steps) {
      const r = await run(command, args, clone, env);
      assert.equal(r.code, 0, `${command} ${args.join(' ')} in ${clone}:\n${r.out}`);
      t.diagnostic(`${command} ${args.join(' ')}: ok`);
    }
  } finally {
    // Whatever a failed step left running.
    await run('npm', ['run', '--silent', 'testbed:stop'], clone, env).catch(() => undefined);
  }
});
