import { readdirSync, readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader } from 'cosmiconfig';
import { ConfigError, type ConfigIssue, type ValueOrigin } from '../errors.js';
import { redactUrlText } from '../secret.js';
import { lazyPackage } from '../optional-package.js';
import { isPlainObject } from '../plain-object.js';
import { envValue } from './env.js';
import { configTrustProblem } from './trust.js';

const MODULE_NAME = 'rdsiam';

const RC_EXTENSIONS = ['', '.json', '.yaml', '.yml', '.js', '.ts', '.cjs', '.mjs'];
/** The extensions of a config written in code (run to load it), in the order the search tries them. */
const CODE_EXTENSIONS = ['.js', '.ts', '.cjs', '.mjs'];

/** cosmiconfig 9's search places for `rdsiam` in each directory (a unit test keeps them equal to its own list). */
export const SEARCH_PLACES = [
  'package.json',
  ...RC_EXTENSIONS.flatMap((ext) => [`.${MODULE_NAME}rc${ext}`, `.config/${MODULE_NAME}rc${ext}`]),
  ...CODE_EXTENSIONS.map((ext) => `${MODULE_NAME}.config${ext}`),
];

const any = (extensions: string[]) => `{${extensions.join(',')}}`;

/** What the search looks for in each directory, in order, for messages. */
export const SEARCH_PLACES_TEXT =
  `package.json ("${MODULE_NAME}" key), .${MODULE_NAME}rc (YAML or JSON), ` +
  `.${MODULE_NAME}rc.${any(RC_EXTENSIONS.slice(1).map((e) => e.slice(1)))}, .config/${MODULE_NAME}rc${any(RC_EXTENSIONS)}, ` +
  `${MODULE_NAME}.config.${any(CODE_EXTENSIONS.map((e) => e.slice(1)))}`;

type Env = Record<string, string | undefined>;

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

/** What a `.ts` config needs where Node does not strip types (TypeScript 7 has no compiler API for cosmiconfig). */
const TYPESCRIPT_FIX =
  'use Node 22.18 or later (it strips types), run under tsx, install TypeScript 5 ' +
  '(npm install --save-dev typescript@5), or write the config as rdsiam.config.mjs';

/**
 * `.ts` configs: a plain `import()` first, which works under tsx and in Node versions that strip types;
 * else cosmiconfig's loader, which needs the `typescript` package (5 or older, with its compiler API) at run time.
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
        throw fileError(file, `is TypeScript, which this Node cannot load by itself: ${TYPESCRIPT_FIX}`);
      }
      // cosmiconfig marks what failed in the compile step; a TypeError there is TypeScript 7's missing compiler API.
      if (error instanceof TypeError && error.message.startsWith('TypeScript Error in ')) {
        throw fileError(
          file,
          `is TypeScript, which this Node cannot load by itself, and the typescript package installed has no compiler API (TypeScript 7 has none): ${TYPESCRIPT_FIX}`,
        );
      }
      throw error;
    }
  };

// cosmiconfig is loaded on first use, for its loaders: a config from env variables and code alone never loads it.
// Only its loaders: its own search would walk past the project root's rules here, and its explorer reads a "meta
// config" from the working directory (which may add search places, or be code) before any check could run.
const loadCosmiconfig = lazyPackage(
  (p) => p.cosmiconfig(),
  () => import('cosmiconfig'),
);

type Loaders = Record<string, Loader>;
let loaders: Promise<Loaders> | undefined;

/** The loader for each extension (`noExt`: none), each turning its errors into ConfigErrors without the file's text. */
function configLoaders(): Promise<Loaders> {
  loaders ??= loadCosmiconfig().then(({ defaultLoaders }) => ({
    '.json': safeJson(defaultLoaders['.json']),
    '.yaml': safeYaml(defaultLoaders['.yaml']),
    '.yml': safeYaml(defaultLoaders['.yaml']),
    noExt: safeYaml(defaultLoaders['.yaml']),
    '.js': safeModule(defaultLoaders['.js']),
    '.cjs': safeModule(defaultLoaders['.cjs']),
    '.mjs': safeModule(defaultLoaders['.mjs']),
    '.ts': safeModule(loadTypeScript(defaultLoaders['.ts'])),
  }));
  loaders.catch(() => {
    loaders = undefined;
  });
  return loaders;
}

/** Refuses a file another user could have written, before anything reads it (see trust.ts). */
function assertTrusted(file: string, env: Env, namedBy?: ValueOrigin): void {
  const problem = configTrustProblem(file, env);
  if (problem === undefined) return;
  const issue: ConfigIssue =
    namedBy === undefined
      ? { path: '', origin: { kind: 'file', file }, message: `is refused: it ${problem}` }
      : { path: 'configFile', origin: namedBy, message: `names ${file}, which is refused: it ${problem}` };
  throw new ConfigError([issue], 'Refused an rdsiam config file that another user could have written');
}

/**
 * The file's config: its loader's result (for package.json, its "rdsiam" key); undefined for an empty file. Only
 * called on a file that passed `assertTrusted`.
 */
async function parse(file: string, content: string): Promise<unknown> {
  if (content.trim() === '') return undefined;
  const ext = extname(file);
  const loader = (await configLoaders())[ext || 'noExt'];
  if (loader === undefined) {
    throw fileError(file, 'has an unsupported extension; use .json, .yaml, .yml, .js, .cjs, .mjs, .ts, or none (YAML)');
  }
  const config = await loader(file, content);
  return basename(file, ext) === 'package' && isPlainObject(config) ? config[MODULE_NAME] : config;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw fileError(file, `could not be read: ${firstLine(error)}`);
  }
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

/** Whether package.json in `dir` may have the "rdsiam" key; unreadable or not JSON counts as may. */
function packageMayHaveKey(dir: string): boolean {
  // Only the key makes it a config file: this parse is data, discarded, and its key is used only after the trust check.
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return typeof pkg !== 'object' || pkg === null || MODULE_NAME in pkg;
  } catch {
    return true;
  }
}

/**
 * The search places `dir` may hold, in search order, from its listing (and its `.config/`'s), so that a directory
 * without one costs no stat of each place and a config from env alone no cosmiconfig import. Names are matched
 * without case, so a case-insensitive file system is covered; a directory that cannot be listed may hold anything.
 */
function placesIn(dir: string): string[] {
  const entries = entriesOf(dir);
  if (entries === null) return [];
  const inConfigDir = entries?.has('.config') === false ? null : entriesOf(join(dir, '.config'));
  return SEARCH_PLACES.filter((place) => {
    const [first, second] = place.toLowerCase().split('/') as [string, string | undefined];
    const listing = second === undefined ? entries : inConfigDir;
    if (listing === null || (listing !== undefined && !listing.has(second ?? first))) return false;
    return place !== 'package.json' || packageMayHaveKey(dir);
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

/** Whether `dir` is a project root: it holds a package.json or package.yaml. */
function hasPackageFile(dir: string): boolean {
  return ['package.json', 'package.yaml'].some((name) => {
    try {
      return statSync(join(dir, name), { throwIfNoEntry: false }) !== undefined;
    } catch {
      return false;
    }
  });
}

/** The user's own config places, searched when there is no project root: `$XDG_CONFIG_HOME/rdsiam/`, `~/.config/rdsiam/`. */
function userConfigDirs(env: Env): string[] {
  const xdg = envValue(env, 'XDG_CONFIG_HOME');
  const home = envValue(env, 'HOME') ?? homedir();
  // The XDG spec has a relative XDG_CONFIG_HOME ignored.
  const dirs = [
    ...(xdg !== undefined && isAbsolute(xdg) ? [join(xdg, MODULE_NAME)] : []),
    join(home, '.config', MODULE_NAME),
  ];
  return [...new Set(dirs)];
}

/** Where a search from `cwd` looks, in order, and the project root it stops at (undefined: none). */
interface SearchRoute {
  dirs: string[];
  root: string | undefined;
}

/**
 * The search's rule: from `cwd` up to the project root (the nearest directory with a package.json or package.yaml);
 * with no project root, `cwd` alone and then the user's config places. It never walks into other parents: a
 * directory above a project is anyone's (`/tmp`, `/home`), and a config found there would be obeyed.
 */
export function searchRoute(cwd: string, env: Env): SearchRoute {
  const dirs: string[] = [];
  for (let dir = cwd; ; dir = dirname(dir)) {
    dirs.push(dir);
    if (hasPackageFile(dir)) return { dirs, root: dir };
    if (dirname(dir) === dir) return { dirs: [...new Set([cwd, ...userConfigDirs(env)])], root: undefined };
  }
}

/** The directories a search from `cwd` visits, in words, for the messages when nothing was found. */
export function describeSearch(cwd: string, env: Env): string {
  const { dirs, root } = searchRoute(cwd, env);
  if (root === undefined) {
    return `${cwd} (no package.json or package.yaml in it or above it, so not its parents), then ${dirs.slice(1).join(', ')}`;
  }
  return root === cwd ? cwd : `${cwd} and its parents up to the project root ${root}`;
}

/** The search's rule in words, for the message when nothing was found. */
export const SEARCH_RULE_TEXT =
  'the search stops at the project root (the nearest directory with a package.json or package.yaml); ' +
  "without one it looks in the start directory and then in the user's config places " +
  '($XDG_CONFIG_HOME/rdsiam/, ~/.config/rdsiam/), never in other parent directories';

/** What a caller may have loaded: `data` never runs a code config (.js, .ts...), for shell completion. */
export interface LoadScope {
  dataOnly?: boolean;
}

/**
 * Searches along `searchRoute(cwd)` for a config file. The first place that holds one wins; an empty one (or a
 * package.json without the "rdsiam" key) does not count. A found file another user could have written is refused.
 * With `dataOnly`, a code config that wins the search ends it with undefined instead of being run.
 */
export async function searchConfigFile(cwd: string, env: Env, scope: LoadScope = {}): Promise<ConfigFile | undefined> {
  for (const dir of searchRoute(cwd, env).dirs) {
    for (const place of placesIn(dir)) {
      const file = join(dir, place);
      // What is not a readable file here (missing, a directory, no permission) is no config, as for cosmiconfig.
      if (!isFile(file)) continue;
      let content: string;
      try {
        content = readFileSync(file, 'utf8');
      } catch (error) {
        if (errorCode(error) === 'EACCES') continue;
        throw fileError(file, `could not be read: ${firstLine(error)}`);
      }
      assertTrusted(file, env);
      if (scope.dataOnly && CODE_EXTENSIONS.includes(extname(file))) {
        if (content.trim() === '') continue;
        return { file, config: undefined };
      }
      const config = await parse(file, content);
      if (config !== undefined && config !== null) return { file, config };
    }
  }
  return undefined;
}

/** Loads one named file. A missing file is an error: a named file is never replaced by a search. */
export async function loadConfigFile(
  file: string,
  namedBy: ValueOrigin,
  env: Env,
  scope: LoadScope = {},
): Promise<ConfigFile> {
  const found = await stat(file).catch(() => undefined);
  const fail = (message: string) => new ConfigError([{ path: 'configFile', origin: namedBy, message }]);
  if (found === undefined)
    throw fail(`names ${file}, which does not exist (a named config file is never replaced by a search)`);
  if (!found.isFile()) throw fail(`names ${file}, which is not a file`);
  assertTrusted(file, env, namedBy);
  if (scope.dataOnly && CODE_EXTENSIONS.includes(extname(file))) return { file, config: undefined };
  const config = await parse(file, read(file));
  return { file, config: config ?? undefined };
}
