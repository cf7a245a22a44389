// The package as users get it: `npm pack` once, then throwaway applications that install the tarball (and a driver
// from the registry, through npm's cache) and run from their own directories, far from this repository.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFiles } from '../support/projects.js';
import { run, runNode, type Result } from '../support/run.js';
import { tempDir } from '../support/temp-dir.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
/**
 * The repository's own TypeScript compilers, 5.9 and 7 (the native one, the devDependency `typescript7`), and esbuild:
 * applications get them from no registry, only the tools' output matters.
 */
export const TSC = {
  '5.9': require.resolve('typescript/bin/tsc'),
  // TypeScript 7 exports no bin/ path: its package.json is the way in.
  '7': join(dirname(require.resolve('typescript7/package.json')), 'bin/tsc'),
};

export interface Packed {
  tarball: string;
  /** Bytes of the .tgz, and of its files unpacked. */
  size: number;
  unpackedSize: number;
  files: string[];
}

/** `npm pack` of this repository (which builds dist/ first) into `dir`. */
export async function pack(dir: string): Promise<Packed> {
  const r = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT });
  if (r.code !== 0) throw new Error(`npm pack failed (exit ${r.code}):\n${r.err}`);
  const [info] = JSON.parse(r.out.slice(r.out.indexOf('['))) as Array<{
    filename: string;
    size: number;
    unpackedSize: number;
    files: Array<{ path: string }>;
  }>;
  return {
    tarball: join(dir, info!.filename),
    size: info!.size,
    unpackedSize: info!.unpackedSize,
    files: info!.files.map((f) => f.path),
  };
}

/** The version this repository's lock file pins, so that npm finds the package in its cache. */
export async function lockedVersion(name: string): Promise<string> {
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string }>;
  };
  const found = lock.packages[`node_modules/${name}`];
  if (!found) throw new Error(`${name} is not in package-lock.json`);
  return `${name}@${found.version}`;
}

export interface App {
  dir: string;
  /** Writes files, by path relative to the app. */
  write(files: Record<string, string>): void;
  /** Runs `node` (the Node running the tests) with `args` in the app (or `cwd` under it), with only `env`, PATH and no HOME. */
  node(args: string[], env?: Record<string, string>, cwd?: string): Promise<Result>;
}

/** A new application in its own temp directory (removed when the tests end) with `rdsiam` from the tarball and `packages` installed. */
export async function installApp(name: string, packed: Packed, packages: string[]): Promise<App> {
  const dir = tempDir(`rdsiam-app-${name}-`);
  const app: App = {
    dir,
    write: (files) => writeFiles(dir, files),
    node: (args, env = {}, cwd = '.') => runNode(args, env, { cwd: join(dir, cwd) }),
  };
  app.write({ 'package.json': `${JSON.stringify({ name: `rdsiam-app-${name}`, private: true }, null, 2)}\n` });
  const r = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', packed.tarball, ...packages],
    { cwd: dir },
  );
  if (r.code !== 0) throw new Error(`npm install in ${dir} failed (exit ${r.code}):\n${r.err}`);
  return app;
}
