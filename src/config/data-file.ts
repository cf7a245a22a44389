import { readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { isPlainObject } from '../plain-object.js';
import { CONFIG_FILE_VARIABLE, envValue } from './env.js';
import { loadCosmiconfig, projectRoot, SEARCH_PLACES, type ConfigFile } from './file.js';

/** The data formats, by file extension (none: `.rdsiamrc`, YAML or JSON). Code (.js, .ts...) is not here: it is never run. */
const DATA_FORMATS: Record<string, 'JSON' | 'YAML'> = { '.json': 'JSON', '': 'YAML', '.yaml': 'YAML', '.yml': 'YAML' };

/** The names defined under `connections` in a config document. */
export function connectionNamesIn(config: unknown): string[] {
  return isPlainObject(config) && isPlainObject(config.connections) ? Object.keys(config.connections) : [];
}

/**
 * Every file the data-only read opens passes here (the place for a check of who may write the file).
 * Undefined when the file cannot be read, as the search treats a file that is not there.
 */
function readCandidate(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function parseData(file: string, text: string): Promise<ConfigFile | undefined> {
  const format = DATA_FORMATS[extname(file)];
  if (format === undefined) return undefined;
  try {
    const config = format === 'JSON' ? JSON.parse(text) : (await loadCosmiconfig()).defaultLoaders['.yaml'](file, text);
    return { file, config };
  } catch {
    // The parser's own message may quote the file, which may hold a DSN password.
    throw new ConfigError([{ path: '', origin: { kind: 'file', file }, message: `is not valid ${format}` }]);
  }
}

/**
 * The config file that `loadConfig` would use from `cwd` (named by RDSIAM_CONFIG, else the first found by the search
 * up to the project root), read only when it is data: JSON, YAML, or the "rdsiam" key of package.json. When that file
 * is code (.js, .ts...) the answer is undefined, as when there is none: code is never run here. For shell completion,
 * which runs in whatever directory the user is in. Unlike the full load, a cosmiconfig meta config is not read (it may
 * itself be code).
 */
export async function readDataConfigFile(
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<ConfigFile | undefined> {
  const named = envValue(env, CONFIG_FILE_VARIABLE);
  if (named !== undefined) {
    const file = resolve(cwd, named);
    const text = readCandidate(file);
    return text === undefined ? undefined : parseData(file, text);
  }
  const root = projectRoot(cwd);
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const place of SEARCH_PLACES) {
      const file = join(dir, place);
      const text = readCandidate(file);
      // The search, too, passes over empty files and a package.json without the key.
      if (text === undefined || text.trim() === '') continue;
      if (place !== 'package.json') return parseData(file, text);
      const pkg = (await parseData(file, text))?.config;
      if (isPlainObject(pkg) && pkg.rdsiam !== undefined) return { file, config: pkg.rdsiam };
    }
    if (dir === root) return undefined;
  }
}
