import * as z from 'zod/mini';
import { configSchema } from './schema.js';

/**
 * The JSON Schema of the config file (input form: what a user writes), for editor completion in
 * `.rdsiamrc.json` / YAML. A fresh object on every call.
 */
export function configJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  return { $schema, title: 'rdsiam config', ...rest };
}
