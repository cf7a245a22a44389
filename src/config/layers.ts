import type { ValueSource } from '../errors.js';

/** Dotted key path (`ssl.mode`, `connections.reader.dsn`) to where its value came from. */
export type Sources = Map<string, ValueSource>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function forget(sources: Sources, path: string): void {
  for (const key of [...sources.keys()]) if (key.startsWith(`${path}.`)) sources.delete(key);
}

/**
 * Merges one layer (file, env or code) over `target`: objects merge key by key, anything else
 * replaces. Undefined values are skipped so `{ iam_region: undefined }` overrides nothing.
 * Records the source of every key path the layer sets; `target` is never aliased to layer objects.
 */
export function mergeLayer(
  target: Record<string, unknown>,
  sources: Sources,
  layer: Record<string, unknown>,
  sourceFor: (path: string) => ValueSource,
  prefix = '',
): void {
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(value)) {
      if (!isPlainObject(target[key])) {
        forget(sources, path);
        target[key] = {};
      }
      sources.set(path, sourceFor(path));
      mergeLayer(target[key] as Record<string, unknown>, sources, value, sourceFor, path);
    } else {
      forget(sources, path);
      target[key] = Array.isArray(value) ? [...value] : value;
      sources.set(path, sourceFor(path));
    }
  }
}

/** Where the value at `path` came from: its own source, else the nearest enclosing object's. */
export function sourceAt(sources: Sources, path: readonly (string | number)[]): ValueSource | undefined {
  for (let n = path.length; n > 0; n--) {
    const found = sources.get(path.slice(0, n).join('.'));
    if (found !== undefined) return found;
  }
  return undefined;
}
