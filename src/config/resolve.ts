import { stat } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { ConfigError, type ConfigIssue, type ValueSource } from '../errors.js';
import { describeValue } from './describe-value.js';
import { redactDsnText, tryParseDsn } from './dsn.js';
import { sslFromDsn } from './dsn-ssl.js';
import { sourceAt, type Sources } from './layers.js';
import { parsePlugins } from './plugins.js';
import { DEFAULTS, MAX_IAM_EXPIRATION, type RdsIamConfigInput } from './schema.js';
import { nearest } from './suggest.js';
import type { PluginCode, ResolvedConfig, SslSettings } from './types.js';

export const DEFAULT_CONNECTION = 'default';

export interface ResolveInput {
  /** The merged document, already validated by `configSchema`. */
  doc: RdsIamConfigInput;
  sources: Sources;
  connection: string;
  /** Relative `ssl.ca` paths from env or code are resolved against it. */
  cwd: string;
  configFile?: string;
  searchedFrom?: string;
}

/** A value as found for one connection: its own, else the top level's, with where it was written. */
interface Setting<T> {
  value: T;
  /** The key path as written, e.g. `connections.reader.dsn`, for messages. */
  path: string;
  source: ValueSource | undefined;
}

const PROFILE_SOURCES = ['chain', 'ini', 'process'];
const PEM = /-----BEGIN [A-Z ]+-----/;

function valueAt(object: unknown, path: readonly string[]): unknown {
  let node = object;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function connectionNames(doc: RdsIamConfigInput): string[] {
  return [DEFAULT_CONNECTION, ...Object.keys(doc.connections ?? {}).filter((n) => n !== DEFAULT_CONNECTION)];
}

/**
 * Resolves one connection of a validated document: merges it over the top level, applies defaults,
 * parses the DSN, maps its TLS parameters and checks the rules that span keys. Throws one ConfigError
 * listing every problem.
 */
export async function resolveConnection(input: ResolveInput): Promise<ResolvedConfig> {
  const { doc, sources, connection } = input;
  const names = connectionNames(doc);
  if (doc.connections?.[DEFAULT_CONNECTION] !== undefined) {
    throw new ConfigError([
      {
        path: `connections.${DEFAULT_CONNECTION}`,
        source: sourceAt(sources, ['connections', DEFAULT_CONNECTION]),
        message: 'is reserved: the top level is the default connection; move these keys to the top level',
      },
    ]);
  }
  if (!names.includes(connection)) {
    const near = nearest(connection, names);
    throw new ConfigError([
      {
        path: 'connection',
        source: { kind: 'code' },
        message: `no connection is named "${connection}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; known: ${names.join(', ')}`,
      },
    ]);
  }

  const issues: ConfigIssue[] = [];
  const resolvedSources: Record<string, ValueSource> = {};
  // A named connection's own keys first, then the top level's.
  const prefixes = connection === DEFAULT_CONNECTION ? [[]] : [['connections', connection], []];

  function get<T>(key: string): Setting<T> | undefined {
    for (const prefix of prefixes) {
      const path = [...prefix, ...key.split('.')];
      const value = valueAt(doc, path);
      if (value !== undefined) {
        const source = sourceAt(sources, path);
        if (source !== undefined) resolvedSources[key] = source;
        return { value: value as T, path: path.join('.'), source };
      }
    }
    return undefined;
  }
  function withDefault<T>(key: string, fallback: T): Setting<T> {
    const found = get<T>(key);
    if (found !== undefined) return found;
    resolvedSources[key] = { kind: 'default' };
    return { value: fallback, path: key, source: { kind: 'default' } };
  }
  const problem = (setting: { path: string; source: ValueSource | undefined }, message: string) =>
    issues.push({ path: setting.path, source: setting.source, message });

  // plugins
  const pluginsSetting = withDefault<unknown>('plugins', [...DEFAULTS.plugins]);
  const parsedPlugins = parsePlugins(pluginsSetting.value);
  const plugins: PluginCode[] = parsedPlugins.ok ? parsedPlugins.codes : [];
  if (!parsedPlugins.ok) problem(pluginsSetting, parsedPlugins.problem);
  const iamOn = plugins.length > 0;
  const dsql = plugins.includes('iam_dsql');

  // dsn
  const dsnSetting = get<string>('dsn');
  const dsnResult = dsnSetting === undefined ? undefined : tryParseDsn(dsnSetting.value);
  if (dsnSetting === undefined) {
    issues.push({
      path: 'dsn',
      message: 'is required: set dsn in the config file, or the RDSIAM_DSN or DATABASE_URL environment variable',
    });
  } else if (dsnResult !== undefined && !dsnResult.ok) {
    problem(dsnSetting, dsnResult.problem);
  }
  const dsn = dsnResult?.ok ? dsnResult.dsn : undefined;
  if (dsn !== undefined && dsnSetting !== undefined) {
    if (iamOn && dsn.password !== undefined) {
      problem(
        dsnSetting,
        `has a password, but the ${plugins.join(', ')} plugin signs a token that replaces it; ` +
          `remove the password from the DSN (got ${JSON.stringify(dsn.redacted)})`,
      );
    }
    if (dsql && dsn.engine !== 'postgres') {
      problem(pluginsSetting, `iam_dsql needs a postgres:// DSN (Aurora DSQL speaks PostgreSQL), but dsn is ${dsn.protocol}//`);
    }
  }

  // iam_*
  const expiration = withDefault<number>('iam_expiration', DEFAULTS.iam_expiration);
  if (!dsql && expiration.value > MAX_IAM_EXPIRATION) {
    problem(
      expiration,
      `must be at most ${MAX_IAM_EXPIRATION} seconds unless the plugin is iam_dsql (RDS IAM tokens live 900 s), got ${expiration.value}`,
    );
  }
  const iamHost = get<string>('iam_host');
  const iamRegion = get<string>('iam_region');
  const iamPort = get<number>('iam_default_port');
  const globalRegion = withDefault<string>('iam_global_region', DEFAULTS.iam_global_region);
  const globalTtl = withDefault<number>('iam_global_ttl_s', DEFAULTS.iam_global_ttl_s);
  const clusterId = get<string>('dsql_cluster_id');
  if (clusterId !== undefined) {
    if (!dsql) problem(clusterId, `is only used with plugin iam_dsql, got plugins ${describeValue(plugins.join(',') || 'none')}`);
    if (iamRegion === undefined) {
      problem(clusterId, `needs iam_region to name the endpoint ${clusterId.value}.dsql.<region>.on.aws; set iam_region`);
    }
    if (iamHost !== undefined) {
      problem(clusterId, 'and iam_host both name the endpoint the token is signed for; keep one');
    }
  }

  // ssl: the config's own keys, then the DSN's TLS parameters, which must agree with them
  const ssl = await resolveSsl();
  async function resolveSsl(): Promise<SslSettings> {
    const fromDsn = dsn === undefined ? undefined : sslFromDsn(dsn);
    if (dsn !== undefined && fromDsn !== undefined) {
      dsn.params = fromDsn.params;
      for (const p of fromDsn.problems) problem(dsnSetting!, p);
    }
    const configured = get<SslSettings['mode']>('ssl.mode');
    let mode: Setting<SslSettings['mode']>;
    if (fromDsn?.mode !== undefined && configured !== undefined && configured.value !== fromDsn.mode) {
      problem(configured, `is ${configured.value} but the DSN says ${fromDsn.modeParam}; set it in one place`);
    }
    if (configured !== undefined) mode = configured;
    else if (fromDsn?.mode !== undefined) {
      mode = { value: fromDsn.mode, path: dsnSetting!.path, source: dsnSetting!.source };
      if (dsnSetting!.source !== undefined) resolvedSources['ssl.mode'] = dsnSetting!.source;
    } else mode = withDefault('ssl.mode', DEFAULTS.ssl_mode);
    if (iamOn && (mode.value === 'require' || mode.value === 'disable')) {
      problem(
        mode,
        `must be verify-full or verify-ca while an IAM plugin is on: the token is a bearer credential and must only ` +
          `go to a verified server, got ${JSON.stringify(mode.value)}`,
      );
    }
    const result: SslSettings = { mode: mode.value };

    let ca = get<string>('ssl.ca');
    if (fromDsn?.ca !== undefined) {
      if (ca !== undefined && ca.value !== fromDsn.ca) {
        problem(ca, `is set, but the DSN also names a CA with ${fromDsn.caParam}; set it in one place`);
      } else if (ca === undefined) {
        ca = { value: fromDsn.ca, path: dsnSetting!.path, source: dsnSetting!.source };
        if (dsnSetting!.source !== undefined) resolvedSources['ssl.ca'] = dsnSetting!.source;
      }
    }
    if (ca !== undefined) result.ca = PEM.test(ca.value) ? ca.value : await caFile(ca);
    const servername = get<string>('ssl.servername');
    if (servername !== undefined) result.servername = servername.value;
    return result;
  }
  // A relative CA path means "next to the config file" when written in one, else the working directory.
  async function caFile(ca: Setting<string>): Promise<string> {
    const base = ca.source?.kind === 'file' ? dirname(ca.source.file) : input.cwd;
    const file = resolvePath(base, ca.value);
    const found = await stat(file).catch(() => undefined);
    if (found === undefined || !found.isFile()) {
      // A DSN pasted here by mistake must not be echoed with its password (resolving would hide the `://`).
      const redacted = redactDsnText(ca.value);
      const shown = redacted === ca.value ? file : redacted;
      problem(ca, `names a CA file that does not exist: ${shown} (give a path to a PEM file, or the PEM text itself)`);
    }
    return file;
  }

  // AWS credentials
  const profile = get<string>('aws_profile');
  const credentialsSource = withDefault<ResolvedConfig['aws_credentials_source']>(
    'aws_credentials_source',
    DEFAULTS.aws_credentials_source,
  );
  if (profile !== undefined && !PROFILE_SOURCES.includes(credentialsSource.value)) {
    problem(
      profile,
      `is only used with aws_credentials_source ${PROFILE_SOURCES.join(', ')}, but that is ${JSON.stringify(credentialsSource.value)}`,
    );
  }
  const roleArn = get<string>('aws_role_arn');
  const sessionName = get<string>('aws_role_session_name');
  const externalId = get<string>('aws_external_id');
  for (const setting of [sessionName, externalId]) {
    if (setting !== undefined && roleArn === undefined) {
      problem(setting, `is only used with aws_role_arn, which is not set (got ${describeValue(setting.value)})`);
    }
  }

  const timeout = withDefault<number>('connect_timeout_ms', DEFAULTS.connect_timeout_ms);
  const poolMax = get<number>('pool.max');
  const poolIdle = get<number>('pool.idle_timeout_ms');
  const poolLifetime = dsql
    ? withDefault<number>('pool.max_lifetime_s', DEFAULTS.dsql_pool_max_lifetime_s)
    : get<number>('pool.max_lifetime_s');

  if (issues.length > 0 || dsn === undefined) throw new ConfigError(issues);

  const resolved: ResolvedConfig = {
    connection,
    dsn,
    plugins,
    iam_expiration: expiration.value,
    iam_global_region: globalRegion.value.toLowerCase(),
    iam_global_ttl_s: globalTtl.value,
    ssl,
    aws_credentials_source: credentialsSource.value,
    connect_timeout_ms: timeout.value,
    pool: {},
    sources: resolvedSources,
    connectionNames: names,
  };
  if (iamHost !== undefined) resolved.iam_host = iamHost.value;
  if (iamRegion !== undefined) resolved.iam_region = iamRegion.value.toLowerCase();
  if (iamPort !== undefined) resolved.iam_default_port = iamPort.value;
  if (clusterId !== undefined) resolved.dsql_cluster_id = clusterId.value;
  if (profile !== undefined) resolved.aws_profile = profile.value;
  if (roleArn !== undefined) resolved.aws_role_arn = roleArn.value;
  if (sessionName !== undefined) resolved.aws_role_session_name = sessionName.value;
  if (externalId !== undefined) resolved.aws_external_id = externalId.value;
  if (poolMax !== undefined) resolved.pool.max = poolMax.value;
  if (poolIdle !== undefined) resolved.pool.idle_timeout_ms = poolIdle.value;
  if (poolLifetime !== undefined) resolved.pool.max_lifetime_s = poolLifetime.value;
  if (input.configFile !== undefined) resolved.configFile = input.configFile;
  if (input.searchedFrom !== undefined) resolved.searchedFrom = input.searchedFrom;
  return resolved;
}
