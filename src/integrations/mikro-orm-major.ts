import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The major of the `@mikro-orm/core` that code in `dir` would load (6 for 6 and older, 7 for 7 and newer), or
 * undefined where none is found. Its package.json is read where Node's lookup would find the package, since
 * MikroORM 7 is ES modules only and `require.resolve` of it fails.
 */
export function installedMikroOrmMajor(dir: string): 6 | 7 | undefined {
  for (const nodeModules of createRequire(join(dir, 'noop.js')).resolve.paths('@mikro-orm/core') ?? []) {
    let manifest: string;
    try {
      manifest = readFileSync(join(nodeModules, '@mikro-orm', 'core', 'package.json'), 'utf8');
    } catch {
      continue;
    }
    const major = Number.parseInt(String((JSON.parse(manifest) as { version?: unknown }).version), 10);
    if (Number.isInteger(major)) return major >= 7 ? 7 : 6;
  }
  return undefined;
}
