import { parseArgs } from 'node:util';
import { configJsonSchema } from '../config/json-schema.js';
import type { CliIo } from './io.js';

export const SCHEMA_HELP = `Usage: rdsiam schema

Prints the JSON Schema of the config file. Point an editor at it with "$schema" in .rdsiamrc.json:
  "$schema": "./node_modules/rdsiam/schemas/rdsiam.schema.json"`;

export function schemaCommand(args: string[], io: CliIo): number {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } });
  io.out(values.help ? `${SCHEMA_HELP}\n` : `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}
