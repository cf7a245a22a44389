import { resolve as resolvePath } from 'node:path';
import { isRegion } from '../endpoint/rds-host.js';
import { ConfigError, type ConfigIssue, type ValueSource } from '../errors.js';
import { loadConfigFile, projectRoot, searchConfigFile, SEARCH_PLACES_TEXT, type ConfigFile } from './config-file.js';
import { describeValue } from './describe-value.js';
import { CONFIG_FILE_VARIABLE, envValue, readEnv } from './env.js';
import { schemaIssues } from './issues.js';
import { isPlainObject, mergeLayer, type Sources } from './layers.js';
import { DEFAULT_CONNECTION, resolveConnection } from './resolve.js';
import { configSchema } from './schema.js';
import type { LoadConfigOptions, ResolvedConfig } from './types.js';

const DATABASE_URL = 'DATABASE_URL';
// The SDK's own region variable: where DescribeGlobalClusters is called when iam_global_region is not set.
const AWS_REGION = 'AWS_REGION';

async function findFile(options: LoadConfigOptions, env: Record<string, string | undefined>, cwd: string) {
  const named = envValue(env, CONFIG_FILE_VARIABLE);
  if (options.configFile !== undefined) return loadConfigFile(resolvePath(cwd, options.configFile), { kind: 'code' });
  if (named !== undefined) {
    return loadConfigFile(resolvePath(cwd, named), { kind: 'env', variable: CONFIG_FILE_VARIABLE });
  }
  return searchConfigFile(cwd);
}

function connectionNamesIn(config: unknown): string[] {
  return isPlainObject(config) && isPlainObject(config.connections) ? Object.keys(config.connections) : [];
}

async function notFound(cwd: string): Promise<ConfigIssue> {
  const root = await projectRoot(cwd);
  return {
    path: 'dsn',
    message:
      `is required, and no rdsiam config was found: searched ${cwd}` +
      (root === cwd ? '' : ` and its parents up to ${root}`) +
      ` for ${SEARCH_PLACES_TEXT}. Create one of those files, name one with ${CONFIG_FILE_VARIABLE}=path, ` +
      `or set RDSIAM_DSN (or ${DATABASE_URL}) and other RDSIAM_* variables`,
  };
}

/**
 * Loads the config for one connection. Precedence, lowest first: defaults, the config file (named by
 * `configFile` or RDSIAM_CONFIG, else searched for from `cwd` up to the project root), RDSIAM_*
 * variables (DATABASE_URL when nothing else gives `dsn`), then `overrides`. Every value remembers its
 * source. Throws one ConfigError listing every problem.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const env = options.env ?? process.env;
  const cwd = resolvePath(options.cwd ?? process.cwd());
  const searched = options.configFile === undefined && envValue(env, CONFIG_FILE_VARIABLE) === undefined;
  const found: ConfigFile | undefined = await findFile(options, env, cwd);

  const issues: ConfigIssue[] = [];
  const doc: Record<string, unknown> = {};
  const sources: Sources = new Map();

  if (found !== undefined && found.config !== undefined && found.config !== null) {
    const fileSource: ValueSource = { kind: 'file', file: found.file };
    if (isPlainObject(found.config)) mergeLayer(doc, sources, found.config, () => fileSource);
    else {
      issues.push({
        path: '',
        source: fileSource,
        message: `must hold an object of rdsiam config keys, got ${describeValue(found.config)}`,
      });
    }
  }

  const envLayer = readEnv(env, connectionNamesIn(found?.config));
  issues.push(...envLayer.issues);
  const envSources = [...envLayer.sources];
  mergeLayer(doc, sources, envLayer.values, (path) => {
    // An object path (e.g. `connections.reader`) takes the source of the first variable under it.
    return envLayer.sources.get(path) ?? envSources.find(([key]) => key.startsWith(`${path}.`))![1];
  });
  const databaseUrl = envValue(env, DATABASE_URL);
  if (doc.dsn === undefined && databaseUrl !== undefined) {
    doc.dsn = databaseUrl;
    sources.set('dsn', { kind: 'env', variable: DATABASE_URL });
  }
  // Taken only when it is a region name: a stray AWS_REGION must not break configs that never use it.
  const awsRegion = envValue(env, AWS_REGION);
  if (doc.iam_global_region === undefined && awsRegion !== undefined && isRegion(awsRegion)) {
    doc.iam_global_region = awsRegion;
    sources.set('iam_global_region', { kind: 'env', variable: AWS_REGION });
  }

  const { overrides } = options;
  if (isPlainObject(overrides)) mergeLayer(doc, sources, overrides, () => ({ kind: 'code' }));
  else if (overrides !== undefined) {
    issues.push({ path: '', source: { kind: 'code' }, message: `overrides must be an object, got ${describeValue(overrides)}` });
  }

  if (found === undefined && sources.size === 0) {
    issues.push(await notFound(cwd));
    throw new ConfigError(issues, 'No rdsiam config found');
  }

  const parsed = configSchema.safeParse(doc);
  if (!parsed.success) issues.push(...schemaIssues(parsed.error, sources));
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);

  return resolveConnection({
    doc: parsed.data,
    sources,
    connection: options.connection ?? DEFAULT_CONNECTION,
    cwd,
    ...(found === undefined ? {} : { configFile: found.file }),
    ...(searched ? { searchedFrom: cwd } : {}),
  });
}
