import type { ConfigIssue, ValueSource } from '../errors.js';
import { connectionLeaves, type Leaf } from './schema-shape.js';
import { nearest } from './suggest.js';

const PREFIX = 'RDSIAM_';
/** Names the config file explicitly; read by the loader, not a config key. */
export const CONFIG_FILE_VARIABLE = 'RDSIAM_CONFIG';
const CONNECTION_VARIABLE = /^CONNECTIONS__(.+?)__(.+)$/;

/** The config keys set by `RDSIAM_*` variables, with the variable each value came from. */
export interface EnvLayer {
  values: Record<string, unknown>;
  /** Dotted key path (`ssl.mode`, `connections.reader.dsn`) to the variable that set it. */
  sources: Map<string, ValueSource>;
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
function namesFor(leaves: readonly Leaf[]): Map<string, Leaf> {
  const names = new Map<string, Leaf>();
  for (const leaf of leaves) {
    const upper = leaf.path.map((p) => p.toUpperCase());
    names.set(upper.join('__'), leaf);
    names.set(upper.join('_'), leaf);
  }
  return names;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}

/** Env values are text; numeric keys take only plain digits ("15m" stays text and fails validation). */
function convert(raw: string, leaf: Leaf): unknown {
  return leaf.numeric && /^\d+$/.test(raw) ? Number(raw) : raw;
}

/**
 * Reads every `RDSIAM_*` variable into config keys. Unknown variables are issues that suggest the
 * nearest known one; `RDSIAM_CONFIG` and `RDSIAM_TESTBED*` are not config keys and are skipped.
 * `connectionNames` lets `RDSIAM_CONNECTIONS__READ_REPLICA__DSN` address a file's `read-replica`.
 */
export function readEnv(env: Record<string, string | undefined>, connectionNames: readonly string[]): EnvLayer {
  const names = namesFor(connectionLeaves());
  const layer: EnvLayer = { values: {}, sources: new Map(), issues: [] };
  const setBy = new Map<string, string>();

  const assign = (variable: string, path: readonly string[], raw: string, leaf: Leaf) => {
    const dotted = path.join('.');
    const earlier = setBy.get(dotted);
    if (earlier !== undefined) {
      layer.issues.push({
        path: dotted,
        source: { kind: 'env', variable },
        message: `is set by both ${earlier} and ${variable}; keep one`,
      });
      return;
    }
    setBy.set(dotted, variable);
    setPath(layer.values, path, convert(raw, leaf));
    layer.sources.set(dotted, { kind: 'env', variable });
  };

  const unknown = (variable: string, candidates: Iterable<string>) => {
    const near = nearest(variable, [...candidates]);
    layer.issues.push({
      path: variable,
      message:
        'is not an rdsiam setting' +
        (near === undefined
          ? ' (settings are RDSIAM_<KEY>, nested keys joined with __, e.g. RDSIAM_IAM_REGION, RDSIAM_POOL__MAX)'
          : `; did you mean ${near}?`),
    });
  };

  for (const variable of Object.keys(env).sort()) {
    const raw = envValue(env, variable);
    if (raw === undefined || !variable.startsWith(PREFIX)) continue;
    if (variable === CONFIG_FILE_VARIABLE || variable.startsWith(`${PREFIX}TESTBED`)) continue;
    const key = variable.slice(PREFIX.length);

    const leaf = names.get(key);
    if (leaf !== undefined) {
      assign(variable, leaf.path, raw, leaf);
      continue;
    }
    const scoped = CONNECTION_VARIABLE.exec(key);
    if (scoped !== null) {
      const [, segment = '', rest = ''] = scoped;
      const scopedLeaf = names.get(rest);
      if (scopedLeaf === undefined) {
        unknown(variable, [...names.keys()].map((n) => `${PREFIX}CONNECTIONS__${segment}__${n}`));
        continue;
      }
      const name =
        connectionNames.find((n) => n.toUpperCase().replace(/-/g, '_') === segment.toUpperCase()) ??
        segment.toLowerCase();
      assign(variable, ['connections', name, ...scopedLeaf.path], raw, scopedLeaf);
      continue;
    }
    unknown(variable, [CONFIG_FILE_VARIABLE, ...[...names.keys()].map((n) => PREFIX + n)]);
  }
  return layer;
}
