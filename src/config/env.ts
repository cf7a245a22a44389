import type { ConfigIssue, ValueOrigin } from '../errors.js';
import type { EnvFallback } from './key.js';
import { didYouMean } from './messages.js';
import { isNumeric, LEAVES, type Leaf } from './schema.js';

const PREFIX = 'RDSIAM_';
/** Names the config file explicitly; read by the loader, not a config key. */
export const CONFIG_FILE_VARIABLE = 'RDSIAM_CONFIG';
/** Directories (a path list) whose config files are trusted whoever owns them: read by the trust check (trust.ts). */
export const TRUST_DIRS_VARIABLE = 'RDSIAM_TRUST_CONFIG_DIRS';
/** The local password `rdsiam proxy` asks its clients for: read by the proxy (proxy/options.ts). */
export const PROXY_PASSWORD_VARIABLE = 'RDSIAM_PROXY_PASSWORD';
/** The loader's own variables and the proxy's, which name no config key. */
const LOADER_VARIABLES = [CONFIG_FILE_VARIABLE, TRUST_DIRS_VARIABLE, PROXY_PASSWORD_VARIABLE];
interface FallbackVariable extends EnvFallback {
  /** The dotted key it gives. */
  key: string;
}

/**
 * Variables other tools set that give a top-level key when no layer does (DATABASE_URL, the SDK's AWS_REGION), as
 * each key declares them in the key table.
 */
export const FALLBACK_VARIABLES: readonly FallbackVariable[] = LEAVES.flatMap((leaf) =>
  (leaf.key.env ?? []).map((fallback) => ({ ...fallback, key: leaf.name })),
);

/** Whether the loader reads `variable`: every `RDSIAM_*` name (keys, connections, RDSIAM_CONFIG) and each fallback. */
export function isConfigVariable(variable: string): boolean {
  return variable.startsWith(PREFIX) || FALLBACK_VARIABLES.some((f) => f.variable === variable);
}

const CONNECTION_VARIABLE = /^CONNECTIONS__(.+?)__(.+)$/;

/** The config keys set by `RDSIAM_*` variables, with the variable each value came from. */
interface EnvLayer {
  values: Record<string, unknown>;
  /** Dotted key path (`ssl.mode`, `connections.reader.dsn`) to the variable that set it. */
  origins: Map<string, ValueOrigin>;
  issues: ConfigIssue[];
}

/** An empty variable counts as unset, so `RDSIAM_X=` in a .env file does not blank a key. */
export function envValue(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Env names for each key after `RDSIAM_`: nested keys joined with `__` (RDSIAM_POOL__MAX) or with a
 * single `_` (RDSIAM_SSL_MODE); both read well and neither can collide with a top-level key.
 */
function envNames(leaf: Leaf): string[] {
  const upper = leaf.path.map((p) => p.toUpperCase());
  return [...new Set([upper.join('__'), upper.join('_')])];
}

/** Every variable that can set the key named `name` (dotted), in the order they are documented. */
export function envVariables(name: string): string[] {
  const leaf = LEAVES.find((l) => l.name === name);
  if (leaf === undefined) return [];
  const fallbacks = FALLBACK_VARIABLES.filter((f) => f.key === name).map((f) => f.variable);
  return [...envNames(leaf).map((n) => PREFIX + n), ...fallbacks];
}

let byName: Map<string, Leaf> | undefined;

function leafNamed(name: string): Leaf | undefined {
  byName ??= new Map(LEAVES.flatMap((leaf) => envNames(leaf).map((n) => [n, leaf] as const)));
  return byName.get(name);
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}

/** Env values are text; numeric keys take only plain digits ("15m" stays text and fails validation). */
function convert(raw: string, leaf: Leaf): unknown {
  return isNumeric(leaf) && /^\d+$/.test(raw) ? Number(raw) : raw;
}

/**
 * Reads every `RDSIAM_*` variable into config keys. Unknown variables are issues that suggest the
 * nearest known one; the loader's own variables (`RDSIAM_CONFIG`, `RDSIAM_TRUST_CONFIG_DIRS`) are skipped.
 * `connectionNames` lets `RDSIAM_CONNECTIONS__READ_REPLICA__DSN` address a file's `read-replica`.
 */
export function readEnv(env: Record<string, string | undefined>, connectionNames: readonly string[]): EnvLayer {
  const layer: EnvLayer = { values: {}, origins: new Map(), issues: [] };
  const setBy = new Map<string, string>();
  const known = () => LEAVES.flatMap(envNames);

  const assign = (variable: string, path: readonly string[], raw: string, leaf: Leaf) => {
    const dotted = path.join('.');
    const earlier = setBy.get(dotted);
    if (earlier !== undefined) {
      layer.issues.push({
        path: dotted,
        origin: { kind: 'env', variable },
        message: `is set by both ${earlier} and ${variable}; keep one`,
      });
      return;
    }
    setBy.set(dotted, variable);
    setPath(layer.values, path, convert(raw, leaf));
    layer.origins.set(dotted, { kind: 'env', variable });
  };

  const unknown = (variable: string, candidates: string[]) => {
    const hint = didYouMean(variable, candidates, '');
    layer.issues.push({
      path: variable,
      message:
        'is not an rdsiam setting' +
        (hint || ' (settings are RDSIAM_<KEY>, nested keys joined with __, e.g. RDSIAM_IAM_REGION, RDSIAM_POOL__MAX)'),
    });
  };

  for (const variable of Object.keys(env).sort()) {
    const raw = envValue(env, variable);
    if (raw === undefined || !variable.startsWith(PREFIX) || LOADER_VARIABLES.includes(variable)) continue;
    const name = variable.slice(PREFIX.length);

    const leaf = leafNamed(name);
    if (leaf !== undefined) {
      assign(variable, leaf.path, raw, leaf);
      continue;
    }
    const scoped = CONNECTION_VARIABLE.exec(name);
    if (scoped !== null) {
      const [, segment = '', rest = ''] = scoped;
      const scopedLeaf = leafNamed(rest);
      if (scopedLeaf === undefined) {
        unknown(
          variable,
          known().map((n) => `${PREFIX}CONNECTIONS__${segment}__${n}`),
        );
        continue;
      }
      const connection =
        connectionNames.find((n) => n.toUpperCase().replace(/-/g, '_') === segment.toUpperCase()) ??
        segment.toLowerCase();
      assign(variable, ['connections', connection, ...scopedLeaf.path], raw, scopedLeaf);
      continue;
    }
    unknown(variable, [...LOADER_VARIABLES, ...known().map((n) => PREFIX + n)]);
  }
  return layer;
}
