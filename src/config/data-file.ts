import { resolve } from 'node:path';
import { isPlainObject } from '../plain-object.js';
import { CONFIG_FILE_VARIABLE, envValue } from './env.js';
import { loadConfigFile, searchConfigFile, type ConfigFile } from './file.js';

/** The names defined under `connections` in a config document. */
export function connectionNamesIn(config: unknown): string[] {
  return isPlainObject(config) && isPlainObject(config.connections) ? Object.keys(config.connections) : [];
}

/**
 * The config file that `loadConfig` would use from `cwd` (named by RDSIAM_CONFIG, else the first found by the
 * search), through the same trust check, read only when it is data: JSON, YAML, or the "rdsiam" key of package.json.
 * When that file is code (.js, .ts...) its config is undefined, as when there is none: code is never run here. For
 * shell completion, which runs in whatever directory the user is in.
 */
export async function readDataConfigFile(
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<ConfigFile | undefined> {
  const named = envValue(env, CONFIG_FILE_VARIABLE);
  const scope = { dataOnly: true };
  if (named === undefined) return searchConfigFile(cwd, env, scope);
  return loadConfigFile(resolve(cwd, named), { kind: 'env', variable: CONFIG_FILE_VARIABLE }, env, scope);
}
