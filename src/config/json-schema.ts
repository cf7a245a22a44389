import * as z from 'zod/mini';
import { documentSchema } from './schema.js';

/**
 * The JSON Schema of the config file (input form: what a user writes), for editor completion in `.rdsiamrc.json` /
 * YAML. `npm run generate` writes it to schemas/; the package ships that file (`rdsiam/schema.json`), so the
 * runtime carries no JSON Schema generator.
 */
export function configJsonSchema(): Record<string, unknown> {
  const docs = z.registry<z.core.GlobalMeta>();
  const { $schema, ...rest } = z.toJSONSchema(documentSchema(z, docs), {
    io: 'input',
    target: 'draft-2020-12',
    metadata: docs,
  });
  return { $schema, title: 'rdsiam config', ...rest };
}
