// docs/architecture.md gives one line per source file: a file added, moved or removed shows here until the table
// follows it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

/** The files a row names: its first cell's `a/b.ts` · `c.ts`, where a bare name shares the first one's folder. */
function listedFiles(markdown: string): Set<string> {
  const listed = new Set<string>();
  for (const line of markdown.split('\n')) {
    const first = /^\| ([^|]+) \|/.exec(line)?.[1];
    if (first === undefined) continue;
    const names = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const folder = names[0]?.includes('/') ? dirname(names[0]) : '.';
    for (const name of names) listed.add(name.includes('/') ? name : folder === '.' ? name : `${folder}/${name}`);
  }
  return listed;
}

test('docs/architecture.md has a line for every source file, and none for a file that is gone', () => {
  const files = readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(SRC, join(e.parentPath, e.name)))
    .sort();
  const listed = listedFiles(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
  assert.deepEqual(
    files.filter((f) => !listed.has(f)),
    [],
    'source files without a line',
  );
  assert.deepEqual([...listed].filter((f) => !files.includes(f)).sort(), [], 'lines for files that do not exist');
});
