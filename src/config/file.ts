import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cosmiconfig, defaultLoaders, type Loader } from 'cosmiconfig';
import { ConfigError, type ValueSource } from '../errors.js';
import { redactUrlText } from '../secret.js';

const MODULE_NAME = 'rdsiam';

/** What the search looks for in each directory, in order (cosmiconfig 9's defaults for `rdsiam`). */
export const SEARCH_PLACES_TEXT =
  'package.json ("rdsiam" key), .rdsiamrc (YAML or JSON), .rdsiamrc.{json,yaml,yml,js,ts,cjs,mjs}, ' +
  '.config/rdsiamrc{,.json,.yaml,.yml,.js,.ts,.cjs,.mjs}, rdsiam.config.{js,ts,cjs,mjs}';

export interface ConfigFile {
  file: string;
  /** The file's content as loaded; undefined for an empty file. */
  config: unknown;
}

function fileError(file: string, message: string): ConfigError {
  return new ConfigError([{ path: '', source: { kind: 'file', file }, message }], 'Could not load the rdsiam config file');
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** The first line of a loader's message, which names the problem; later lines may quote the file. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactUrlText(message.split('\n').find((line) => line.trim() !== '' && !/^\w+ Error in /.test(line)) ?? '');
}

// Parsers quote the file around a syntax error, and the file may hold a DSN password: keep only
// the parser's reason and position.
const safeYaml: Loader = (file, content) => {
  try {
    return defaultLoaders['.yaml'](file, content);
  } catch (error) {
    const { reason, mark } = error as { reason?: string; mark?: { line: number; column: number } };
    const where = mark === undefined ? '' : ` (line ${mark.line + 1}, column ${mark.column + 1})`;
    throw fileError(file, `is not valid YAML: ${reason ?? 'syntax error'}${where}`);
  }
};

const safeJson: Loader = (file, content) => {
  try {
    return defaultLoaders['.json'](file, content);
  } catch (error) {
    // V8 quotes the text near the error after the first double quote; cut it off there.
    const reason = firstLine(error).split('"')[0]!.replace(/[\s,]+$/, '');
    throw fileError(file, `is not valid JSON: ${reason || 'syntax error'}`);
  }
};

function safeModule(load: Loader): Loader {
  return async (file, content) => {
    try {
      return await load(file, content);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw fileError(file, `could not be loaded: ${firstLine(error)}`);
    }
  };
}

/**
 * `.ts` configs: a plain `import()` first, which works under tsx and in Node versions that strip types;
 * else cosmiconfig's loader, which needs the `typescript` package at run time.
 */
const loadTypeScript: Loader = async (file, content) => {
  try {
    return ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (error) {
    if (errorCode(error) !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  }
  try {
    return await defaultLoaders['.ts'](file, content);
  } catch (error) {
    if (errorCode(error) === 'ERR_MODULE_NOT_FOUND' && /['"]typescript['"]/.test(String((error as Error).message))) {
      throw fileError(
        file,
        'is TypeScript, which this Node cannot load by itself: install the typescript package ' +
          '(npm install --save-dev typescript), run under tsx, or write the config as rdsiam.config.mjs',
      );
    }
    throw error;
  }
};

// Created per call, uncached: a long-running process that loads again sees the file as it is now.
function explorer() {
  return cosmiconfig(MODULE_NAME, {
    searchStrategy: 'project',
    cache: false,
    loaders: {
      '.json': safeJson,
      '.yaml': safeYaml,
      '.yml': safeYaml,
      noExt: safeYaml,
      '.js': safeModule(defaultLoaders['.js']),
      '.cjs': safeModule(defaultLoaders['.cjs']),
      '.mjs': safeModule(defaultLoaders['.mjs']),
      '.ts': safeModule(loadTypeScript),
    },
  });
}

/** Searches from `cwd` up to the project root (the first directory with a package.json) for a config file. */
export async function searchConfigFile(cwd: string): Promise<ConfigFile | undefined> {
  try {
    const result = await explorer().search(cwd);
    return result === null ? undefined : { file: result.filepath, config: result.config };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const file = (error as { filepath?: unknown }).filepath;
    throw typeof file === 'string'
      ? fileError(file, `could not be read: ${firstLine(error)}`)
      : new ConfigError([{ path: '', message: `the search for a config file from ${cwd} failed: ${firstLine(error)}` }]);
  }
}

/** Loads one named file. A missing file is an error: a named file is never replaced by a search. */
export async function loadConfigFile(file: string, namedBy: ValueSource): Promise<ConfigFile> {
  const found = await stat(file).catch(() => undefined);
  const fail = (message: string) => new ConfigError([{ path: 'configFile', source: namedBy, message }]);
  if (found === undefined) throw fail(`names ${file}, which does not exist (a named config file is never replaced by a search)`);
  if (!found.isFile()) throw fail(`names ${file}, which is not a file`);
  try {
    const result = await explorer().load(file);
    return { file, config: result?.config ?? undefined };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if (/^No loader specified/.test(String((error as Error).message))) {
      throw fileError(file, 'has an unsupported extension; use .json, .yaml, .yml, .js, .cjs, .mjs, .ts, or none (YAML)');
    }
    throw fileError(file, `could not be read: ${firstLine(error)}`);
  }
}

/** The directories a search from `cwd` visits, for the message when nothing was found. */
export async function projectRoot(cwd: string): Promise<string> {
  let dir = cwd;
  for (;;) {
    const hasPackage = await Promise.all(
      ['package.json', 'package.yaml'].map((name) => stat(join(dir, name)).then(() => true, () => false)),
    );
    const parent = dirname(dir);
    if (hasPackage.includes(true) || parent === dir) return dir;
    dir = parent;
  }
}
