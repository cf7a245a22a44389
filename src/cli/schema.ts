import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseOptions } from './args.js';
import { CONFIG_FLAGS, type CliIo } from './io.js';

export const SCHEMA_HELP = `Usage: rdsiam schema

Prints the JSON Schema of the config file. Point an editor at it with "$schema" in .rdsiamrc.json:
  "$schema": "./node_modules/rdsiam/schemas/rdsiam.schema.json"

Exit code: 0, or 2 for a usage error.`;

export const SCHEMA_OPTIONS = { help: CONFIG_FLAGS.help } as const;

// The file the package ships (generated from the key table by `npm run generate`): the same path from src/cli/ and
// from dist/cli/, whose CommonJS file has no `import.meta` but its own name.
const SCHEMA_FILE = new URL(
  '../../schemas/rdsiam.schema.json',
  (import.meta.url as string | undefined) ?? pathToFileURL(__filename),
);

export function schemaCommand(args: string[], io: CliIo): number {
  const { values } = parseOptions({ args, options: SCHEMA_OPTIONS });
  io.out(values.help ? `${SCHEMA_HELP}\n` : readFileSync(SCHEMA_FILE, 'utf8'));
  return 0;
}
