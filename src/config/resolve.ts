import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError, type ConfigIssue, type ValueOrigin } from '../errors.js';
import { redactUrlText } from '../secret.js';
import { dsnTls } from './dsn.js';
import { envVariables } from './env.js';
import {
  DSQL_CLUSTER_ID,
  DSQL_CLUSTER_ID_SHAPE,
  TOKEN_LIFETIME_S,
  dsqlEndpoint,
  tokenCacheLifetimeS,
  type PluginCode,
} from '../aws-facts.js';
import { isGroup, type Group, type Key, type ResolvedKeys } from './key.js';
import { CONNECTION_KEYS, type ConnectionKeys, type RdsIamConfigInput } from './keys.js';
import { describeValue, knownNames } from './messages.js';
import { LEAVES } from './schema.js';
import { ipVersion } from '../ip.js';

// Resolving one connection of a validated document, as a pipeline of small steps: pick each key's setting →
// resolve each key → map the DSN's TLS parameters → cross-key rules → DSQL names → plugin defaults → CA file → freeze.

export const DEFAULT_CONNECTION = 'default';

/** The keys as resolved, with `plugins` (a list as written) resolved to the one plugin it may name. */
type ResolvedConnectionKeys = Omit<ResolvedKeys<ConnectionKeys>, 'plugins'> & {
  /** The IAM plugin (`plugins` as resolved: the config layer refuses more than one); undefined for password auth. */
  plugin?: PluginCode;
};

/** One connection's config after loading, merging by precedence and validation. */
export interface ResolvedConfig extends ResolvedConnectionKeys {
  /** `default` for the top level, else the name under `connections`. */
  connection: string;
  /** Where each value came from, by dotted key (`dsn`, `ssl.mode`, `pool.max`, ...). */
  origins: Record<string, ValueOrigin>;
  /** The config file loaded, if any. */
  configFile?: string;
  /** The directory the search for a config file started from, when no file was named explicitly. */
  searchedFrom?: string;
  /** Names of every connection the config defines, `default` included. */
  connectionNames: string[];
}

interface ResolveInput {
  /** The merged document, already validated. */
  doc: RdsIamConfigInput;
  /** Where the value at a document path came from. */
  originOf: (path: readonly string[]) => ValueOrigin | undefined;
  connection: string;
  /** Relative `ssl.ca` paths from env or code are resolved against it. */
  cwd: string;
  configFile?: string;
  searchedFrom?: string;
}

/** A key's value for one connection, with where it was written (`connections.reader.dsn`) and where it came from. */
interface Setting {
  readonly value: unknown;
  readonly path: string;
  readonly origin: ValueOrigin;
}

/** Settings by dotted key; a key no layer set and with no default is absent. */
type Settings = ReadonlyMap<string, Setting>;

type Draft = ResolvedConnectionKeys;

const DEFAULT: ValueOrigin = { kind: 'default' };
const PROFILE_SOURCES = ['chain', 'ini', 'process', 'login'];

function issue(setting: Pick<Setting, 'path' | 'origin'>, message: string): ConfigIssue {
  return { path: setting.path, origin: setting.origin, message };
}

function valueAt(object: unknown, path: readonly string[]): unknown {
  let node = object;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A key's resolved value, in the form its `show` takes: `plugins` is held as one `plugin`. */
export function resolvedValue(
  config: ResolvedConfig,
  leaf: { readonly name: string; readonly path: readonly string[] },
): unknown {
  if (leaf.name === 'plugins') return config.plugin === undefined ? [] : [config.plugin];
  return valueAt(config, leaf.path);
}

/** The host a token is signed for, and the certificate must name: `iam_host`, else the DSN host. */
export function tokenHost(config: Pick<ResolvedConfig, 'iam_host' | 'dsn'>): string {
  return config.iam_host ?? config.dsn.host;
}

export function connectionNames(doc: RdsIamConfigInput): string[] {
  return [DEFAULT_CONNECTION, ...Object.keys(doc.connections ?? {}).filter((n) => n !== DEFAULT_CONNECTION)];
}

function checkConnection({ doc, originOf, connection }: ResolveInput, names: readonly string[]): void {
  if (doc.connections?.[DEFAULT_CONNECTION] !== undefined) {
    const path = ['connections', DEFAULT_CONNECTION];
    throw new ConfigError([
      issue(
        { path: path.join('.'), origin: originOf(path) ?? { kind: 'code' } },
        'is reserved: the top level is the default connection; move these keys to the top level',
      ),
    ]);
  }
  if (!names.includes(connection)) {
    throw new ConfigError([
      {
        path: 'connection',
        origin: { kind: 'code' },
        message: `no connection is named "${connection}"${knownNames(connection, names)}`,
      },
    ]);
  }
}

/** Step 1: each key's value for this connection: its own, else the top level's, else the default. */
function pick({ doc, originOf, connection }: ResolveInput): Settings {
  const prefixes = connection === DEFAULT_CONNECTION ? [[]] : [['connections', connection], []];
  const settings = new Map<string, Setting>();
  for (const leaf of LEAVES) {
    const found = prefixes.map((prefix) => [...prefix, ...leaf.path]).find((path) => valueAt(doc, path) !== undefined);
    if (found !== undefined) {
      settings.set(leaf.name, {
        value: valueAt(doc, found),
        path: found.join('.'),
        origin: originOf(found) ?? { kind: 'code' },
      });
    } else if (leaf.key.default !== undefined) {
      settings.set(leaf.name, { value: leaf.key.default, path: leaf.name, origin: DEFAULT });
    }
  }
  return settings;
}

/** Step 2: each key's own resolution (a DSN parsed, plugins read, a CA path made absolute), into the nested shape. */
function resolveKeys(settings: Settings, cwd: string): { draft: Draft; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const build = (keys: Record<string, Key | Group>, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, entry] of Object.entries(keys)) {
      const dotted = prefix + name;
      if (isGroup(entry)) {
        out[name] = build(entry.keys, `${dotted}.`);
        continue;
      }
      const setting = settings.get(dotted);
      if (setting === undefined) {
        if (entry.required) {
          const variables = envVariables(dotted).join(' or ');
          issues.push({
            path: dotted,
            message: `is required: set ${dotted} in the config file, or the ${variables} environment variable`,
          });
        }
        continue;
      }
      const resolved = resolveSetting(entry, setting, cwd);
      if (resolved.ok) out[name] = resolved.value;
      else issues.push(issue(setting, resolved.problem));
    }
    return out;
  };
  const { plugins, ...draft } = build(CONNECTION_KEYS, '') as ResolvedKeys<ConnectionKeys>;
  return { draft: { ...draft, ...(plugins?.[0] !== undefined && { plugin: plugins[0] }) }, issues };
}

function resolveSetting(key: Key, setting: Setting, cwd: string) {
  // A default is already in resolved form.
  if (key.resolve === undefined || setting.origin.kind === 'default')
    return { ok: true as const, value: setting.value };
  // A relative path means "next to the config file" when written in one, else the working directory.
  const baseDir = setting.origin.kind === 'file' ? dirname(setting.origin.file) : cwd;
  return key.resolve(setting.value, { baseDir });
}

/**
 * Step 3: the DSN's TLS parameters (`sslmode`, `sslrootcert`, `ssl-mode`, `ssl-ca`) become `ssl.mode` and
 * `ssl.ca` unless those keys are set, and must agree with them when they are.
 */
function mapDsnTls(
  draft: Draft,
  settings: Settings,
  cwd: string,
): { draft: Draft; settings: Settings; issues: ConfigIssue[] } {
  const dsnSetting = settings.get('dsn');
  if (draft.dsn === undefined || dsnSetting === undefined) return { draft, settings, issues: [] };
  const tls = dsnTls(draft.dsn);
  const issues = tls.problems.map((p) => issue(dsnSetting, p));
  const ssl = { ...draft.ssl };
  const next = new Map(settings);
  const fromDsn: Setting = { ...dsnSetting, value: undefined };

  const mode = settings.get('ssl.mode');
  if (tls.mode !== undefined) {
    if (mode !== undefined && mode.origin.kind !== 'default' && mode.value !== tls.mode) {
      issues.push(issue(mode, `is ${String(mode.value)} but the DSN says ${tls.modeParam}; set it in one place`));
    } else if (mode === undefined || mode.origin.kind === 'default') {
      ssl.mode = tls.mode;
      next.set('ssl.mode', { ...fromDsn, value: tls.mode });
    }
  }
  if (tls.ca !== undefined) {
    const ca = settings.get('ssl.ca');
    if (ca !== undefined && ca.value !== tls.ca) {
      issues.push(issue(ca, `is set, but the DSN also names a CA with ${tls.caParam}; set it in one place`));
    } else if (ca === undefined) {
      const setting = { ...fromDsn, value: tls.ca };
      const resolved = resolveSetting(CONNECTION_KEYS.ssl.keys.ca, setting, cwd);
      if (resolved.ok) ssl.ca = resolved.value as Draft['ssl']['ca'];
      next.set('ssl.ca', setting);
    }
  }
  return { draft: { ...draft, dsn: { ...draft.dsn, params: tls.params }, ssl }, settings: next, issues };
}

type Rule = (c: Draft, at: (key: string) => Setting) => ConfigIssue | undefined;

/** Step 4: the rules that span keys. Rules about endpoints live in the endpoint layer. */
const RULES: readonly Rule[] = [
  (c, at) =>
    c.plugin !== undefined && c.dsn?.password !== undefined
      ? issue(
          at('dsn'),
          `has a password, but the ${c.plugin} plugin signs a token that replaces it; ` +
            `remove the password from the DSN (got ${JSON.stringify(c.dsn.redacted)})`,
        )
      : undefined,
  (c, at) =>
    c.plugin === 'iam_dsql' && c.dsn !== undefined && c.dsn.engine !== 'postgres'
      ? issue(
          at('plugins'),
          `iam_dsql needs a postgres:// DSN (Aurora DSQL speaks PostgreSQL), but dsn is ${c.dsn.protocol}//`,
        )
      : undefined,
  (c, at) =>
    tokenCacheLifetimeS(c.iam_expiration, c.plugin ?? 'iam') < c.iam_expiration
      ? issue(
          at('iam_expiration'),
          `must be at most ${TOKEN_LIFETIME_S.iam} seconds unless the plugin is iam_dsql (RDS IAM tokens live ${TOKEN_LIFETIME_S.iam} s), got ${c.iam_expiration}`,
        )
      : undefined,
  (c, at) =>
    c.plugin !== undefined && (c.ssl.mode === 'require' || c.ssl.mode === 'disable')
      ? issue(
          at('ssl.mode'),
          'must be verify-full or verify-ca while an IAM plugin is on: the token is a bearer credential and must only ' +
            `go to a verified server, got ${JSON.stringify(c.ssl.mode)}`,
        )
      : undefined,
  (c, at) =>
    c.aws_profile !== undefined && !PROFILE_SOURCES.includes(c.aws_credentials_source)
      ? issue(
          at('aws_profile'),
          `is only used with aws_credentials_source ${PROFILE_SOURCES.join(', ')}, but that is ${JSON.stringify(c.aws_credentials_source)}`,
        )
      : undefined,
  (c, at) =>
    c.dsql_cluster_id !== undefined && c.plugin !== 'iam_dsql'
      ? issue(
          at('dsql_cluster_id'),
          `is only used with plugin iam_dsql, got plugins ${describeValue(c.plugin ?? 'none')}`,
        )
      : undefined,
  (c, at) =>
    c.dsql_cluster_id !== undefined && c.iam_region === undefined
      ? issue(
          at('dsql_cluster_id'),
          `needs iam_region to name the endpoint ${dsqlEndpoint(c.dsql_cluster_id, '<region>')}; set iam_region`,
        )
      : undefined,
  (c, at) =>
    c.dsql_cluster_id !== undefined && c.iam_host !== undefined
      ? issue(at('dsql_cluster_id'), 'and iam_host both name the endpoint the token is signed for; keep one')
      : undefined,
  ...(['aws_role_session_name', 'aws_external_id'] as const).map(
    (name): Rule =>
      (c, at) =>
        c[name] !== undefined && c.aws_role_arn === undefined
          ? issue(at(name), `is only used with aws_role_arn, which is not set (got ${describeValue(at(name).value)})`)
          : undefined,
  ),
];

/**
 * Step 5, Aurora DSQL as AWS's DSQL connectors read it: a DSN host that is one label is a cluster id, expanded
 * with iam_region; `dsql_cluster_id` names the endpoint signed for, as `iam_host` does.
 */
function dsqlNames(c: Draft, settings: Settings): { draft: Draft; settings: Settings; issues: ConfigIssue[] } {
  if (c.plugin !== 'iam_dsql') return { draft: c, settings, issues: [] };
  const next = new Map(settings);
  let draft = c;
  const host = c.dsn.host;
  if (!host.includes('.') && ipVersion(host) === 0) {
    const id = host.toLowerCase();
    const dsn = settings.get('dsn')!;
    if (DSQL_CLUSTER_ID.test(id)) {
      if (c.iam_region === undefined) {
        return {
          draft,
          settings,
          issues: [
            issue(
              dsn,
              `has host ${id}, an Aurora DSQL cluster id; set iam_region to name its endpoint ${dsqlEndpoint(id, '<region>')}, or write that endpoint as the host`,
            ),
          ],
        };
      }
      draft = { ...draft, dsn: { ...draft.dsn, host: dsqlEndpoint(id, c.iam_region) } };
    } else if (c.iam_host === undefined && c.dsql_cluster_id === undefined) {
      // A one-label host signed for as itself can only be a mistyped cluster id; with iam_host or dsql_cluster_id it is an alias.
      return {
        draft,
        settings,
        issues: [
          issue(
            dsn,
            `has host ${JSON.stringify(host)}, which is neither an Aurora DSQL cluster id (${DSQL_CLUSTER_ID_SHAPE}) nor a DSQL ` +
              `endpoint (${dsqlEndpoint('<id>', '<region>')}). If it is an alias (localhost, a tunnel), set iam_host or ` +
              'dsql_cluster_id to name the endpoint the token is signed for',
          ),
        ],
      };
    }
  }
  if (c.dsql_cluster_id !== undefined && c.iam_region !== undefined) {
    draft = { ...draft, iam_host: dsqlEndpoint(c.dsql_cluster_id, c.iam_region) };
    next.set('iam_host', settings.get('dsql_cluster_id')!);
  }
  return { draft, settings: next, issues: [] };
}

/** Step 6: the defaults a key declares for one plugin (DSQL's `pool.max_lifetime_s`), where no layer set the key. */
function pluginDefaults(c: Draft, settings: Settings): { draft: Draft; settings: Settings } {
  const { plugin } = c;
  if (plugin === undefined) return { draft: c, settings };
  const next = new Map(settings);
  let draft: Record<string, unknown> = c;
  for (const leaf of LEAVES) {
    const value = leaf.key.pluginDefault?.[plugin];
    if (value === undefined || (settings.get(leaf.name)?.origin.kind ?? 'default') !== 'default') continue;
    draft = withValue(draft, leaf.path, value);
    next.set(leaf.name, { value, path: leaf.name, origin: DEFAULT });
  }
  return { draft: draft as Draft, settings: next };
}

/** `object` with the value at `path` replaced, copying each object on the way. */
function withValue(object: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path as [string, ...string[]];
  const inner = rest.length === 0 ? value : withValue((object[head] ?? {}) as Record<string, unknown>, rest, value);
  return { ...object, [head]: inner };
}

/** Step 7: a CA file must exist (its content is read, and checked, when a connection is made). */
async function checkCaFile(c: Draft, settings: Settings): Promise<ConfigIssue | undefined> {
  const ca = c.ssl.ca;
  if (ca === undefined || !('file' in ca)) return undefined;
  const found = await stat(ca.file).catch(() => undefined);
  if (found?.isFile()) return undefined;
  const setting = settings.get('ssl.ca')!;
  // A DSN pasted here by mistake must not be echoed with its password (resolving would hide the `://`).
  const written = String(setting.value);
  const shown = redactUrlText(written) === written ? ca.file : redactUrlText(written);
  return issue(
    setting,
    `names a CA file that does not exist: ${shown} (give a path to a PEM file, or the PEM text itself)`,
  );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Resolves one connection of a validated document. Throws one ConfigError listing every problem.
 * The result is frozen: it is shared by every connect that loads the same config.
 */
export async function resolveConnection(input: ResolveInput): Promise<ResolvedConfig> {
  const names = connectionNames(input.doc);
  checkConnection(input, names);
  const picked = pick(input);
  const keys = resolveKeys(picked, input.cwd);
  const tls = mapDsnTls(keys.draft, picked, input.cwd);
  let { draft, settings } = tls;
  const issues = [...keys.issues, ...tls.issues];
  if (issues.length === 0) {
    const at = (key: string) => settings.get(key)!;
    issues.push(...RULES.map((rule) => rule(draft, at)).filter((i) => i !== undefined));
  }
  if (issues.length === 0) {
    const dsql = dsqlNames(draft, settings);
    ({ draft, settings } = pluginDefaults(dsql.draft, dsql.settings));
    issues.push(...dsql.issues);
  }
  const caIssue = await checkCaFile(draft, settings);
  if (caIssue !== undefined) issues.push(caIssue);
  if (issues.length > 0) throw new ConfigError(issues);

  const origins = Object.fromEntries([...settings].map(([key, setting]) => [key, setting.origin]));
  return deepFreeze({
    ...draft,
    connection: input.connection,
    origins,
    connectionNames: names,
    ...(input.configFile === undefined ? {} : { configFile: input.configFile }),
    ...(input.searchedFrom === undefined ? {} : { searchedFrom: input.searchedFrom }),
  });
}
