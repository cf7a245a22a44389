import type { RdsIamConfigInput } from './schema.js';

export type { RdsIamConfigInput } from './schema.js';

/**
 * Types a config written in code, e.g. `export default defineConfig({ dsn: '...', plugins: ['iam'] })`
 * in `rdsiam.config.ts`. Returns its argument unchanged; validation happens when it is loaded.
 */
export function defineConfig(config: RdsIamConfigInput): RdsIamConfigInput {
  return config;
}
