import { resolve as resolvePath } from 'node:path';
import type * as z from 'zod/mini';
import { ConfigError, type ConfigIssue, type ValueOrigin } from '../errors.js';
import {
  describeSearch,
  loadConfigFile,
  SEARCH_PLACES_TEXT,
  SEARCH_RULE_TEXT,
  searchConfigFile,
  type ConfigFile,
} from './file.js';
import { connectionNamesIn } from './data-file.js';
import { CONFIG_FILE_VARIABLE, FALLBACK_VARIABLES, envValue, readEnv } from './env.js';
import type { RdsIamConfigInput } from './keys.js';
import { describeValue, knownNames, printablePath } from './messages.js';
import { DEFAULT_CONNECTION, resolveConnection, type ResolvedConfig } from './resolve.js';
import { keysAt, validateDocument } from './schema.js';
import { isPlainObject } from '../plain-object.js';

/** Where `loadConfig` looks, and what it lays over the file and the environment. */
export interface LoadConfigOptions {
  /** Where the search for a config file starts. Default: `process.cwd()`. */
  cwd?: string;
  /** One config file, named explicitly; a missing file is an error. Env: `RDSIAM_CONFIG`. */
  configFile?: string;
  /** The environment to read `RDSIAM_*` and `DATABASE_URL` from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Values that beat the file and env (the config's own input shape). */
  overrides?: RdsIamConfigInput | Record<string, unknown>;
  /** Which named connection to resolve. Default: `default` (the top level). */
  connection?: string;
}

/** Dotted document path (`ssl.mode`, `connections.reader.dsn`) to where its value came from. */
type Origins = Map<string, ValueOrigin>;

function forget(origins: Origins, path: string): void {
  for (const key of [...origins.keys()]) if (key.startsWith(`${path}.`)) origins.delete(key);
}

/**
 * Merges one layer (file, env or code) over `target`: objects merge key by key, anything else
 * replaces. Undefined values are skipped so `{ iam_region: undefined }` overrides nothing.
 * Records the source of every key path the layer sets; `target` is never aliased to layer objects.
 */
function mergeLayer(
  target: Record<string, unknown>,
  origins: Origins,
  layer: Record<string, unknown>,
  originFor: (path: string) => ValueOrigin,
  prefix = '',
): void {
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(value)) {
      if (!isPlainObject(target[key])) {
        forget(origins, path);
        target[key] = {};
      }
      origins.set(path, originFor(path));
      mergeLayer(target[key] as Record<string, unknown>, origins, value, originFor, path);
    } else {
      forget(origins, path);
      target[key] = Array.isArray(value) ? [...value] : value;
      origins.set(path, originFor(path));
    }
  }
}

/** Where the value at `path` came from: its own source, else the nearest enclosing object's. */
function originAt(origins: Origins, path: readonly (string | number)[]): ValueOrigin | undefined {
  for (let n = path.length; n > 0; n--) {
    const found = origins.get(path.slice(0, n).join('.'));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** zod's issues as ConfigIssues: the key path, the value's source, and the schema's own wording (unknown keys get a suggestion). */
function schemaIssues(error: z.core.$ZodError, origins: Origins): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const path = issue.path.map(String);
    if (issue.code !== 'unrecognized_keys')
      return [{ path: printablePath(path), origin: originAt(origins, path), message: issue.message }];
    const known = keysAt(path) ?? [];
    return issue.keys.map((key) => ({
      path: printablePath([...path, key]),
      origin: originAt(origins, [...path, key]),
      message: `is not a known key${knownNames(key, known, 'known keys here')}`,
    }));
  });
}

async function findFile(options: LoadConfigOptions, env: Record<string, string | undefined>, cwd: string) {
  const named = envValue(env, CONFIG_FILE_VARIABLE);
  if (options.configFile !== undefined) {
    return loadConfigFile(resolvePath(cwd, options.configFile), { kind: 'code' }, env);
  }
  if (named !== undefined) {
    return loadConfigFile(resolvePath(cwd, named), { kind: 'env', variable: CONFIG_FILE_VARIABLE }, env);
  }
  return searchConfigFile(cwd, env);
}

function notFound(cwd: string, env: Record<string, string | undefined>): ConfigIssue {
  return {
    path: 'dsn',
    message:
      `is required, and no rdsiam config was found: searched ${describeSearch(cwd, env)} for ${SEARCH_PLACES_TEXT} ` +
      `(${SEARCH_RULE_TEXT}). Create one of those files, name one with ${CONFIG_FILE_VARIABLE}=path, ` +
      'or set RDSIAM_DSN (or DATABASE_URL) and other RDSIAM_* variables',
  };
}

/**
 * Loads the config for one connection. Precedence, lowest first: defaults, the config file (named by
 * `configFile` or RDSIAM_CONFIG, else searched for from `cwd` up to the project root, or with no project root in
 * `cwd` and then the user's config places; a file another user could have written is refused), RDSIAM_*
 * variables (then DATABASE_URL and AWS_REGION for the keys no layer gave), then `overrides`. Every value remembers its
 * source. Throws one ConfigError listing every problem.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const env = options.env ?? process.env;
  const cwd = resolvePath(options.cwd ?? process.cwd());
  const searched = options.configFile === undefined && envValue(env, CONFIG_FILE_VARIABLE) === undefined;
  const found: ConfigFile | undefined = await findFile(options, env, cwd);

  const issues: ConfigIssue[] = [];
  const doc: Record<string, unknown> = {};
  const origins: Origins = new Map();

  if (found !== undefined && found.config !== undefined && found.config !== null) {
    const fileOrigin: ValueOrigin = { kind: 'file', file: found.file };
    if (isPlainObject(found.config)) mergeLayer(doc, origins, found.config, () => fileOrigin);
    else {
      issues.push({
        path: '',
        origin: fileOrigin,
        message: `must hold an object of rdsiam config keys, got ${describeValue(found.config)}`,
      });
    }
  }

  const envLayer = readEnv(env, connectionNamesIn(found?.config));
  issues.push(...envLayer.issues);
  const envOrigins = [...envLayer.origins];
  mergeLayer(doc, origins, envLayer.values, (path) => {
    // An object path (e.g. `connections.reader`) takes the source of the first variable under it.
    return envLayer.origins.get(path) ?? envOrigins.find(([key]) => key.startsWith(`${path}.`))![1];
  });

  const { overrides } = options;
  if (isPlainObject(overrides)) mergeLayer(doc, origins, overrides, () => ({ kind: 'code' }));
  else if (overrides !== undefined) {
    issues.push({
      path: '',
      origin: { kind: 'code' },
      message: `overrides must be an object, got ${describeValue(overrides)}`,
    });
  }

  // Last, and only for keys no layer gave (overrides included): the lowest place among what was set.
  const fallbacks = FALLBACK_VARIABLES.filter(({ key, variable, accepts }) => {
    const value = envValue(env, variable);
    return doc[key] === undefined && value !== undefined && (accepts === undefined || accepts(value));
  });
  for (const { key, variable } of fallbacks) {
    doc[key] = envValue(env, variable);
    origins.set(key, { kind: 'env', variable });
  }

  if (found === undefined && origins.size === fallbacks.filter((f) => !f.configures).length) {
    issues.push(notFound(cwd, env));
    throw new ConfigError(issues, 'No rdsiam config found');
  }

  const parsed = await validateDocument(doc);
  if (!parsed.success) issues.push(...schemaIssues(parsed.error, origins));
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);

  return resolveConnection({
    doc: parsed.data,
    originOf: (path) => originAt(origins, path),
    connection: options.connection ?? DEFAULT_CONNECTION,
    cwd,
    ...(found === undefined ? {} : { configFile: found.file }),
    ...(searched ? { searchedFrom: cwd } : {}),
  });
}
