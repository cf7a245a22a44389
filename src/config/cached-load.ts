import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isConfigVariable } from './env.js';
import { loadConfig, type LoadConfigOptions } from './load.js';
import type { ResolvedConfig } from './resolve.js';

/** How long a resolved config is reused before the file search runs again (a new file is noticed within this). */
const RESEARCH_MS = 1000;
const MAX_ENTRIES = 64;

interface Entry {
  loading: Promise<{ config: ResolvedConfig; stamp: string }>;
  loadedAt: number;
}

let entries: Map<string, Entry> | undefined;

/** Config inputs as text: the env variables the loader reads (as the key table declares them), the options, the overrides. */
function keyOf(options: LoadConfigOptions): string | undefined {
  const env = options.env ?? process.env;
  const read = Object.keys(env)
    .filter(isConfigVariable)
    .sort()
    .map((name) => [name, env[name]]);
  try {
    return JSON.stringify([
      resolve(options.cwd ?? process.cwd()),
      options.configFile,
      options.connection,
      read,
      options.overrides,
    ]);
  } catch {
    return undefined; // overrides that are not plain data: not cached
  }
}

async function stampOf(file: string | undefined): Promise<string> {
  if (file === undefined) return 'none';
  const s = await stat(file).catch(() => undefined);
  // ctime moves on a chmod or chown too, which the trust check must see again.
  return s === undefined ? 'gone' : `${s.mtimeMs}:${s.ctimeMs}:${s.size}`;
}

async function load(options: LoadConfigOptions): Promise<{ config: ResolvedConfig; stamp: string }> {
  const config = await loadConfig(options);
  return { config, stamp: await stampOf(config.configFile) };
}

/**
 * `loadConfig` for the connect path, which runs per connection: the same inputs within a second reuse the
 * resolved config (concurrent calls share one load), as long as the config file it came from is unchanged
 * (its mtime, ctime and size are checked on every call, so an edit, a chmod or a chown is seen at once). Errors are never cached.
 */
export async function loadConfigCached(options: LoadConfigOptions): Promise<ResolvedConfig> {
  const key = keyOf(options);
  if (key === undefined) return loadConfig(options);
  entries ??= new Map();
  const hit = entries.get(key);
  if (hit && Date.now() - hit.loadedAt < RESEARCH_MS) {
    const loaded = await hit.loading.catch(() => undefined);
    if (loaded && (await stampOf(loaded.config.configFile)) === loaded.stamp) return loaded.config;
  }
  const entry: Entry = { loading: load(options), loadedAt: Date.now() };
  entries.delete(key);
  entries.set(key, entry);
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  // A failed load is dropped so the next call tries again.
  entry.loading.catch(() => entries?.get(key) === entry && entries.delete(key));
  return (await entry.loading).config;
}
