// The package as users get it: `npm pack` once, then throwaway applications that install the tarball (and a driver
// from the registry, through npm's cache) and run from their own directories, far from this repository.
import { execFile, type ExecFileOptions } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The repository's own TypeScript and esbuild: applications get them from no registry, only the tools' output matters. */
export const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

export interface Result {
  code: number;
  out: string;
  err: string;
}

/** Runs a command and waits; never throws for a non-zero exit. */
export function run(command: string, args: string[], options: ExecFileOptions = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 180_000, maxBuffer: 16 << 20, encoding: 'utf8', ...options }, (error, out, err) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, out: String(out), err: String(err) }),
    );
  });
}

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
  return { tarball: join(dir, info!.filename), size: info!.size, unpackedSize: info!.unpackedSize, files: info!.files.map((f) => f.path) };
}

/** The version this repository's lock file pins, so that npm finds the package in its cache. */
export async function lockedVersion(name: string): Promise<string> {
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  const found = lock.packages[`node_modules/${name}`];
  if (!found) throw new Error(`${name} is not in package-lock.json`);
  return `${name}@${found.version}`;
}

export interface App {
  dir: string;
  /** Writes files, by path relative to the app. */
  write(files: Record<string, string>): Promise<void>;
  /** Runs `node` (the Node running the tests) with `args` in the app (or `cwd` under it), with only `env` and PATH. */
  node(args: string[], env?: Record<string, string>, cwd?: string): Promise<Result>;
}

/** A new application in its own temp directory with `rdsiam` from the tarball and `packages` installed. */
export async function installApp(name: string, packed: Packed, packages: string[]): Promise<App> {
  const dir = await mkdtemp(join(tmpdir(), `rdsiam-app-${name}-`));
  const app: App = {
    dir,
    async write(files) {
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
    },
    node: (args, env = {}, cwd = '.') =>
      run(process.execPath, args, { cwd: join(dir, cwd), env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env } }),
  };
  await app.write({ 'package.json': `${JSON.stringify({ name: `rdsiam-app-${name}`, private: true }, null, 2)}\n` });
  const r = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', packed.tarball, ...packages], { cwd: dir });
  if (r.code !== 0) throw new Error(`npm install in ${dir} failed (exit ${r.code}):\n${r.err}`);
  return app;
}

export async function removeApp(app: App | undefined): Promise<void> {
  if (app) await rm(app.dir, { recursive: true, force: true });
}
