import { readdirSync, readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader } from 'cosmiconfig';
import { ConfigError, type ValueOrigin } from '../errors.js';
import { redactUrlText } from '../secret.js';
import { lazyPackage } from '../optional-package.js';

const MODULE_NAME = 'rdsiam';

/** What the search looks for in each directory, in order (cosmiconfig 9's defaults for `rdsiam`). */
export const SEARCH_PLACES_TEXT =
  'package.json ("rdsiam" key), .rdsiamrc (YAML or JSON), .rdsiamrc.{json,yaml,yml,js,ts,cjs,mjs}, ' +
  '.config/rdsiamrc{,.json,.yaml,.yml,.js,.ts,.cjs,.mjs}, rdsiam.config.{js,ts,cjs,mjs}';

/** cosmiconfig 9's search places for `rdsiam` in each directory (a unit test keeps them equal to its own list). */
export const SEARCH_PLACES = [
  'package.json',
  ...['', '.json', '.yaml', '.yml', '.js', '.ts', '.cjs', '.mjs'].flatMap((ext) => [
    `.rdsiamrc${ext}`,
    `.config/rdsiamrc${ext}`,
  ]),
  ...['.js', '.ts', '.cjs', '.mjs'].map((ext) => `rdsiam.config${ext}`),
];

/**
 * Where cosmiconfig looks, in the process's working directory only, for a meta config (`cosmiconfig` key of
 * package.json, or one of these files) that may add search places for every tool.
 */
const META_PLACES = [
  'package.json',
  'package.yaml',
  ...['json', 'yaml', 'yml', 'js', 'ts', 'cjs', 'mjs'].map((ext) => `.config/config.${ext}`),
];

export interface ConfigFile {
  file: string;
  /** The file's content as loaded; undefined for an empty file. */
  config: unknown;
}

function fileError(file: string, message: string): ConfigError {
  return new ConfigError(
    [{ path: '', origin: { kind: 'file', file }, message }],
    'Could not load the rdsiam config file',
  );
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
const safeYaml =
  (yaml: Loader): Loader =>
  (file, content) => {
    try {
      return yaml(file, content);
    } catch (error) {
      const { reason, mark } = error as { reason?: string; mark?: { line: number; column: number } };
      const where = mark === undefined ? '' : ` (line ${mark.line + 1}, column ${mark.column + 1})`;
      throw fileError(file, `is not valid YAML: ${reason ?? 'syntax error'}${where}`);
    }
  };

const safeJson =
  (json: Loader): Loader =>
  (file, content) => {
    try {
      return json(file, content);
    } catch (error) {
      // V8 quotes the text near the error after the first double quote; cut it off there.
      const reason = firstLine(error)
        .split('"')[0]!
        .replace(/[\s,]+$/, '');
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
const loadTypeScript =
  (typescript: Loader): Loader =>
  async (file, content) => {
    try {
      return ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
    } catch (error) {
      if (errorCode(error) !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    }
    try {
      return await typescript(file, content);
    } catch (error) {
      // ERR_MODULE_NOT_FOUND from import(); MODULE_NOT_FOUND from require(), which the built package uses (dist/cosmiconfig.cjs).
      const missing = ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes(String(errorCode(error)));
      if (missing && /['"]typescript['"]/.test(String((error as Error).message))) {
        throw fileError(
          file,
          'is TypeScript, which this Node cannot load by itself: install the typescript package ' +
            '(npm install --save-dev typescript), run under tsx, or write the config as rdsiam.config.mjs',
        );
      }
      throw error;
    }
  };

// cosmiconfig is loaded on first use: a config from env variables and code alone never loads it.
export const loadCosmiconfig = lazyPackage(
  (p) => p.cosmiconfig(),
  () => import('cosmiconfig'),
);

// Created per call, uncached: a long-running process that loads again sees the file as it is now.
async function explorer() {
  const { cosmiconfig, defaultLoaders } = await loadCosmiconfig();
  return cosmiconfig(MODULE_NAME, {
    searchStrategy: 'project',
    cache: false,
    loaders: {
      '.json': safeJson(defaultLoaders['.json']),
      '.yaml': safeYaml(defaultLoaders['.yaml']),
      '.yml': safeYaml(defaultLoaders['.yaml']),
      noExt: safeYaml(defaultLoaders['.yaml']),
      '.js': safeModule(defaultLoaders['.js']),
      '.cjs': safeModule(defaultLoaders['.cjs']),
      '.mjs': safeModule(defaultLoaders['.mjs']),
      '.ts': safeModule(loadTypeScript(defaultLoaders['.ts'])),
    },
  });
}

/** Lower-cased names of the entries of a directory: null if it does not exist, undefined if it cannot be listed. */
type Entries = Set<string> | null | undefined;

function entriesOf(dir: string): Entries {
  try {
    return new Set(readdirSync(dir).map((name) => name.toLowerCase()));
  } catch (error) {
    const code = errorCode(error);
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : undefined;
  }
}

/** Whether package.json in `dir` may have `key` at its top level; unreadable or not JSON counts as may. */
function packageMayHave(dir: string, key: string): boolean {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return typeof pkg !== 'object' || pkg === null || key in pkg;
  } catch {
    return true;
  }
}

/**
 * Whether `dir`, with these `entries`, may hold one of `places` (package.json: only with `packageKey`). Names are
 * matched without case, so a case-insensitive file system is covered; a directory that cannot be listed may hold anything.
 */
function mayHold(dir: string, entries: Entries, places: readonly string[], packageKey: string): boolean {
  if (entries === undefined) return true;
  if (entries === null) return false;
  const inConfigDir = entries.has('.config') ? entriesOf(join(dir, '.config')) : null;
  if (inConfigDir === undefined) return true;
  for (const place of places) {
    const [first, second] = place.toLowerCase().split('/') as [string, string | undefined];
    const found = second === undefined ? entries.has(first) : inConfigDir?.has(second) === true;
    if (found && (place !== 'package.json' || packageMayHave(dir, packageKey))) return true;
  }
  return false;
}

/**
 * Whether cosmiconfig's search from `cwd` could find anything, decided from directory listings, so that a config
 * with no file (env variables, code) costs no cosmiconfig import. Any doubt counts as could: cosmiconfig then
 * searches as it always did. Read synchronously, once per config load: a few listings cost less than as many
 * trips through libuv's thread pool, which a cold start would wait for one after another.
 */
function searchMayFind(cwd: string): boolean {
  const metaDir = process.cwd();
  if (mayHold(metaDir, entriesOf(metaDir), META_PLACES, 'cosmiconfig')) return true;
  for (let dir = cwd; ; dir = dirname(dir)) {
    const here = entriesOf(dir);
    if (mayHold(dir, here, SEARCH_PLACES, MODULE_NAME)) return true;
    // The search stops at the project root; a listing without either name spares cosmiconfig's exact test.
    if ((here?.has('package.json') || here?.has('package.yaml')) && hasPackageFile(dir)) return false;
    if (dirname(dir) === dir) return false;
  }
}

/** Searches from `cwd` up to the project root (the first directory with a package.json) for a config file. */
export async function searchConfigFile(cwd: string): Promise<ConfigFile | undefined> {
  if (!searchMayFind(cwd)) return undefined;
  try {
    const result = await (await explorer()).search(cwd);
    return result === null ? undefined : { file: result.filepath, config: result.config };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const file = (error as { filepath?: unknown }).filepath;
    throw typeof file === 'string'
      ? fileError(file, `could not be read: ${firstLine(error)}`)
      : new ConfigError([
          { path: '', message: `the search for a config file from ${cwd} failed: ${firstLine(error)}` },
        ]);
  }
}

/** Loads one named file. A missing file is an error: a named file is never replaced by a search. */
export async function loadConfigFile(file: string, namedBy: ValueOrigin): Promise<ConfigFile> {
  const found = await stat(file).catch(() => undefined);
  const fail = (message: string) => new ConfigError([{ path: 'configFile', origin: namedBy, message }]);
  if (found === undefined)
    throw fail(`names ${file}, which does not exist (a named config file is never replaced by a search)`);
  if (!found.isFile()) throw fail(`names ${file}, which is not a file`);
  try {
    const result = await (await explorer()).load(file);
    return { file, config: result?.config ?? undefined };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if (/^No loader specified/.test(String((error as Error).message))) {
      throw fileError(
        file,
        'has an unsupported extension; use .json, .yaml, .yml, .js, .cjs, .mjs, .ts, or none (YAML)',
      );
    }
    throw fileError(file, `could not be read: ${firstLine(error)}`);
  }
}

/** Whether the search stops at `dir`: cosmiconfig's project root test. */
function hasPackageFile(dir: string): boolean {
  return ['package.json', 'package.yaml'].some((name) => {
    try {
      return statSync(join(dir, name), { throwIfNoEntry: false }) !== undefined;
    } catch {
      return false;
    }
  });
}

/** The directories a search from `cwd` visits, for the message when nothing was found. */
export function projectRoot(cwd: string): string {
  let dir = cwd;
  for (;;) {
    const parent = dirname(dir);
    if (hasPackageFile(dir) || parent === dir) return dir;
    dir = parent;
  }
}
