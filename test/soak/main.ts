// `npm run soak [-- --seconds=N]`: the fault soak against this clone's test bed (started if needed, stopped after),
// about 5 minutes by default. Prints the summary and writes it as JSON (soak-summary.json, or --json=PATH).
import { writeFile } from 'node:fs/promises';
import { testbedCli } from '../testbed/cli-process.mjs';
import { findTestbed } from '../support/testbed.js';
import { runSoak, type SoakSummary } from './soak.js';
import { soakProblems } from './verdict.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const seconds = Number(arg('seconds') ?? 300);
const jsonPath = arg('json') ?? 'soak-summary.json';
if (!(seconds >= 10 && seconds <= 3600)) throw new Error('--seconds must be between 10 and 3600');

function print(s: SoakSummary): void {
  const line = (text: string) => process.stdout.write(`${text}\n`);
  line(`soak: ${s.seconds} s, ${s.writersPerEngine} writers per engine`);
  for (const engine of ['postgres', 'mysql'] as const)
    line(`  ${engine}: ${s.transactions[engine]} transactions, ${s.acknowledged[engine]} acknowledged`);
  line('  failures by cause:');
  for (const [cause, count] of Object.entries(s.failures)) line(`    ${count}  ${cause}`);
  line('  recovery after each fault (ms from its end to the first new commit; pg / mysql):');
  for (const f of s.faults)
    line(
      `    ${f.fault} (at ${f.at} ms, lasted ${f.durationMs} ms): ${f.recoveredMs.postgres} / ${f.recoveredMs.mysql}`,
    );
  line(`  cached tokens refused as too old ${s.staleTokenRefusals}, retries with a fresh token ${s.tokenRetries}`);
  line(`  lost=${s.lost} duplicated=${s.duplicated} applied-unacknowledged=${s.appliedUnacknowledged}`);
}

let started = false;
if (testbedCli('status', { quiet: true }).code !== 0) {
  if (testbedCli('start').code !== 0) throw new Error('the test bed did not start');
  started = true;
}
try {
  const tb = await findTestbed();
  if (!tb) throw new Error('no test bed');
  const summary = await runSoak(tb, { seconds, writers: 4, say: (l) => process.stderr.write(`soak: ${l}\n`) });
  print(summary);
  await writeFile(jsonPath, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`  summary written to ${jsonPath}\n`);
  const problems = soakProblems(summary);
  for (const p of problems) process.stdout.write(`  PROBLEM: ${p}\n`);
  process.exitCode = problems.length === 0 ? 0 : 1;
} finally {
  if (started) testbedCli('stop');
}
