// `npm run --silent bench -- --json > bench.json && npm run bench:chart -- bench.json`: the benchmark's JSON as an
// SVG bar chart (docs/benchmarks.svg unless a second path is given). Plain SVG text, no dependency. Every bar is a
// ratio of times or instructions, rdsiam over the other side, so below 1 is rdsiam faster; a tick marks a goal.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Row {
  group: string;
  label: string;
  /** Where the ratio is in the bench JSON. */
  path: string;
  goal?: number;
  /** The bench reports this one as a throughput ratio (above 1 is faster); drawn as its inverse, a time ratio. */
  inverse?: boolean;
}

const ROWS: Row[] = [
  { group: 'warm connect, time', label: 'vs raw pg, same token', path: 'connectOverhead.pg' },
  { group: 'warm connect, time', label: 'vs raw mysql2, same token', path: 'connectOverhead.mysql' },
  { group: 'warm connect, time', label: 'vs AWS wrapper, pg', path: 'vsPeer.pg' },
  { group: 'warm connect, time', label: 'vs AWS wrapper, mysql', path: 'vsPeer.mysql' },
  { group: 'fresh process, time', label: 'first connect vs AWS wrapper, pg', path: 'firstConnectVsPeer.pg', goal: 0.7 },
  {
    group: 'fresh process, time',
    label: 'first connect vs AWS wrapper, mysql',
    path: 'firstConnectVsPeer.mysql',
    goal: 0.7,
  },
  {
    group: 'fresh process, time',
    label: 'first connect vs hand-wired, pg',
    path: 'firstConnectVsHandWired.pg',
    goal: 1.1,
  },
  {
    group: 'fresh process, time',
    label: 'first connect vs hand-wired, mysql',
    path: 'firstConnectVsHandWired.mysql',
    goal: 1.1,
  },
  { group: 'fresh process, time', label: 'same, config in a file, pg', path: 'firstConnectFromFileVsHandWired.pg' },
  {
    group: 'fresh process, time',
    label: 'same, config in a file, mysql',
    path: 'firstConnectFromFileVsHandWired.mysql',
  },
  {
    group: 'fresh process, time',
    label: 'getAuthToken vs hand-wired signer',
    path: 'tokenColdStartVsHandWired',
    goal: 1.25,
  },
  { group: 'fresh process, time', label: 'rdsiam token vs hand-wired script', path: 'cliTokenVsHandWired', goal: 1.3 },
  { group: 'fresh process, time', label: 'import + config + token vs wrapper import', path: 'coldStartVsPeerImport' },
  {
    group: 'fresh process vs hand-wired, in instructions',
    label: 'first connect, pg',
    path: 'coldInstructionsVsHandWired.firstConnect.pg',
  },
  {
    group: 'fresh process vs hand-wired, in instructions',
    label: 'first connect, mysql',
    path: 'coldInstructionsVsHandWired.firstConnect.mysql',
  },
  {
    group: 'fresh process vs hand-wired, in instructions',
    label: 'first connect, config in a file, pg',
    path: 'coldInstructionsVsHandWired.firstConnectFromFile.pg',
  },
  {
    group: 'fresh process vs hand-wired, in instructions',
    label: 'getAuthToken',
    path: 'coldInstructionsVsHandWired.tokenColdStart',
  },
  {
    group: 'fresh process vs hand-wired, in instructions',
    label: 'rdsiam token',
    path: 'coldInstructionsVsHandWired.cliToken',
  },
  { group: 'under load, wall time', label: '200 cold connects vs AWS wrapper', path: 'coldBurst.wallVsPeer' },
  {
    group: 'under load, wall time',
    label: 'pool churn vs fixed-token pg.Pool',
    path: 'poolChurnVsStatic',
    inverse: true,
  },
];

const at = (data: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], data);

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The chart for one run of `npm run bench -- --json`. Rows the run did not measure are left out. */
export function benchChart(data: Record<string, unknown>): string {
  const rows = ROWS.flatMap((row) => {
    const raw = at(data, row.path);
    if (typeof raw !== 'number' || !(raw > 0)) return [];
    return [{ ...row, value: row.inverse ? 1 / raw : raw }];
  });
  const LABEL_W = 300;
  const BAR_W = 400;
  const ROW_H = 22;
  const GROUP_GAP = 12;
  const TOP = 64;
  const max = Math.max(1.5, ...rows.map((r) => r.value), ...rows.map((r) => r.goal ?? 0)) * 1.08;
  const x = (v: number) => LABEL_W + (v / max) * BAR_W;
  const out: string[] = [];
  let y = TOP;
  let group = '';
  for (const row of rows) {
    if (row.group !== group) {
      if (group !== '') y += GROUP_GAP;
      group = row.group;
      out.push(`<text x="8" y="${y + 14}" class="group">${xml(group)}</text>`);
      y += ROW_H;
    }
    const good = row.value <= (row.goal ?? 1);
    out.push(`<text x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end">${xml(row.label)}</text>`);
    out.push(
      `<rect x="${LABEL_W}" y="${y + 4}" width="${(x(row.value) - LABEL_W).toFixed(1)}" height="${ROW_H - 8}" class="${good ? 'good' : 'over'}"/>`,
    );
    // The figure goes right of the bar and of its goal tick, so neither hides it.
    const textX = Math.max(x(row.value), row.goal === undefined ? 0 : x(row.goal)) + 6;
    out.push(`<text x="${textX.toFixed(1)}" y="${y + 15}">${row.value.toFixed(2)}</text>`);
    if (row.goal !== undefined) {
      const gx = x(row.goal).toFixed(1);
      out.push(`<line x1="${gx}" x2="${gx}" y1="${y + 1}" y2="${y + ROW_H - 1}" class="goal"/>`);
    }
    y += ROW_H;
  }
  const height = y + 40;
  const one = x(1).toFixed(1);
  const speedup = at(data, 'tokenCacheSpeedup');
  const burst = at(data, 'coldBurst') as { ours?: { tokensSigned: number; credentialFetches: number } } | undefined;
  const notes = [
    typeof speedup === 'number' ? `token cache hit ${Math.round(speedup)}x faster than a fresh signing` : '',
    burst?.ours
      ? `200 cold connects: rdsiam ${burst.ours.tokensSigned} signing, ${burst.ours.credentialFetches} credential fetch`
      : '',
  ].filter(Boolean);
  const title = 'rdsiam over the other side: below 1, rdsiam is faster (| marks a goal)';
  const subtitle = `${String(data.date ?? '').slice(0, 10)}, ${String(data.machine ?? '')}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_W + BAR_W + 80}" height="${height}" viewBox="0 0 ${LABEL_W + BAR_W + 80} ${height}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>${xml(title)}</title>`,
    '<style>text{fill:#24292f}.group{font-weight:bold}.good{fill:#2da44e}.over{fill:#d4a72c}.goal{stroke:#cf222e;stroke-width:2}.axis{stroke:#57606a;stroke-dasharray:4 3}</style>',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${xml(title)}</text>`,
    `<text x="8" y="38">${xml(subtitle)}</text>`,
    `<line x1="${one}" x2="${one}" y1="${TOP - 6}" y2="${y + 4}" class="axis"/>`,
    `<text x="${one}" y="${TOP - 10}" text-anchor="middle">1.0</text>`,
    ...out,
    `<text x="8" y="${y + 28}">${xml(notes.join('; '))}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [input, output = fileURLToPath(new URL('../docs/benchmarks.svg', import.meta.url))] = process.argv.slice(2);
  if (input === undefined) throw new Error('usage: npm run bench:chart -- <bench.json> [out.svg]');
  writeFileSync(output, benchChart(JSON.parse(readFileSync(input, 'utf8'))));
  console.log(`wrote ${output}`);
}
