import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseOptions } from './args.js';
import { CONFIG_FLAGS, type CliIo } from './io.js';

export const VERSION_HELP = `Usage: rdsiam version [--json]   (or rdsiam --version, rdsiam -V)

Prints rdsiam's version. With --json, one JSON object for a bug report: the version, Node.js's version,
and the runtime (node, bun or deno).

Exit code: 0, or 2 for a usage error.`;

export const VERSION_OPTIONS = { json: { type: 'boolean' }, help: CONFIG_FLAGS.help } as const;

// The package's own package.json, read only when asked: nothing is added to the start of any other command. The same
// path from src/cli/ and from dist/cli/ (see schema.ts).
const PACKAGE_FILE = new URL(
  '../../package.json',
  (import.meta.url as string | undefined) ?? pathToFileURL(__filename),
);

function runtime(): 'node' | 'bun' | 'deno' {
  if ('Bun' in globalThis) return 'bun';
  if ('Deno' in globalThis) return 'deno';
  return 'node';
}

export function versionCommand(args: string[], io: CliIo): number {
  const { values } = parseOptions({ args, options: VERSION_OPTIONS });
  if (values.help) {
    io.out(`${VERSION_HELP}\n`);
    return 0;
  }
  const { version } = JSON.parse(readFileSync(PACKAGE_FILE, 'utf8')) as { version: string };
  io.out(
    values.json
      ? `${JSON.stringify({ version, node: process.version, runtime: runtime() }, null, 2)}\n`
      : `${version}\n`,
  );
  return 0;
}
