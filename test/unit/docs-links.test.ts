// The documentation holds together: every relative link in the README and the docs resolves to a file (and, for a
// markdown page, to a heading there), and every page under docs/ can be reached from the README.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = join(ROOT, 'README.md');

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => join(e.parentPath, e.name));
  return [README, join(ROOT, 'CONTRIBUTING.md'), join(ROOT, 'SECURITY.md'), ...docs].filter((f) => existsSync(f));
}

/** The text outside fenced code blocks, with inline code emptied: links and headings only. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '``');
}

/** GitHub's anchors for a page's headings (and any explicit `<a id>` / `<a name>`). */
function anchors(file: string): Set<string> {
  const text = prose(readFileSync(file, 'utf8'));
  const raw = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading] of raw.matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const slug = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    found.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const [, id] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) found.add(id!);
  return found;
}

interface Link {
  from: string;
  target: string;
  /** The file it points to (the page itself for `#anchor`). */
  file: string;
  anchor: string | undefined;
}

function links(file: string): Link[] {
  const found: Link[] = [];
  for (const [, target] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // https:, mailto:
    const [path, anchor] = target!.split('#', 2) as [string, string | undefined];
    found.push({ from: file, target: target!, file: path === '' ? file : resolve(dirname(file), path), anchor });
  }
  return found;
}

describe('documentation links', () => {
  const files = markdownFiles();

  it('every relative link resolves to a file, and every anchor to a heading', () => {
    const broken: string[] = [];
    for (const link of files.flatMap(links)) {
      const where = `${relative(ROOT, link.from)}: ${link.target}`;
      if (!existsSync(link.file)) {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (link.anchor !== undefined && link.file.endsWith('.md') && !anchors(link.file).has(link.anchor))
        broken.push(`${where} (no such heading)`);
    }
    assert.deepEqual(broken, []);
  });

  it('every page under docs/ can be reached from the README', () => {
    const reached = new Set<string>([README]);
    const queue = [README];
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      for (const link of links(file)) {
        if (!link.file.endsWith('.md') || reached.has(link.file) || !existsSync(link.file)) continue;
        reached.add(link.file);
        queue.push(link.file);
      }
    }
    assert.deepEqual(
      files.filter((f) => !reached.has(f)).map((f) => relative(ROOT, f)),
      [],
    );
  });

  it('finds broken links and anchors (the check itself can fail)', () => {
    const page = join(ROOT, 'docs/configuration.md');
    assert.ok(anchors(page).has('keys'));
    assert.ok(!anchors(page).has('no-such-heading'));
    assert.ok(links(README).some((l) => l.target === 'docs/configuration.md'));
  });
});
