// Plain JavaScript: test/run.mjs runs under node without tsx, and imports this too.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `test/testbed/cli.ts <command>` in a child process to its end. Its progress goes to this stderr unless
 * `quiet`. Returns the exit code, and the state file's path when the test bed runs (after start or a healthy status).
 */
export function testbedCli(command, { quiet = false } = {}) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/testbed/cli.ts', command], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'],
  });
  const code = run.status ?? 1;
  const lines = (run.stdout ?? '').trim().split('\n');
  return { code, stateFile: code === 0 && command !== 'stop' ? lines[lines.length - 1] : undefined };
}
