// `npm run schema`: writes schemas/rdsiam.schema.json from the zod schema (test/unit/config-json-schema
// fails when the checked-in file is stale).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/config/json-schema.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../schemas/rdsiam.schema.json', import.meta.url));

export function schemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, schemaText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
