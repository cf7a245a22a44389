import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RDS_HOST } from './hosts.js';
import { tempDir } from './temp-dir.js';

/** The absolute path of `test/fixtures/projects/<name>`, a read-only project (its own package.json stops the search there). */
export function fixtureProject(name: string): string {
  return fileURLToPath(new URL(`../fixtures/projects/${name}`, import.meta.url));
}

/** A project without a config file: a config search from it finds nothing and stops there. */
export const NO_CONFIG_DIR = fixtureProject('no-config');

/**
 * Writes `files`, given by path relative to `root`, creating directories as needed. Writable by the owner alone
 * whatever the umask, as the config trust check wants.
 */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true, mode: 0o755 });
    writeFileSync(join(root, path), text, { mode: 0o644 });
  }
}

/**
 * A throwaway project for a test that changes its files: a temp directory with a package.json (so the search
 * stops there) and `files`. Use a fixture project where the files stay as they are.
 */
export function tempProject(
  files: Record<string, string>,
  packageJson: object = { name: 'fixture', type: 'module' },
): string {
  const root = tempDir('rdsiam-project-');
  writeFiles(root, { 'package.json': JSON.stringify(packageJson), ...files });
  return root;
}

/** The uid of `nobody`, another user to give planted files to (which needs root). */
export const NOBODY = 65534;

/** The `skip` option of a test that gives files to nobody: false when running as root. */
export const NEEDS_ROOT = process.getuid?.() === 0 ? false : 'needs root, to give files to nobody';

/** A config naming RDS_HOST, as JSON. */
export const JSON_CONFIG = JSON.stringify({ dsn: `postgres://app@${RDS_HOST}/app` });

/**
 * A directory like /tmp (mode 1777) holding what another user planted there: a `.rdsiamrc.cjs` that writes the file
 * `ran` when it is loaded, and a `.rdsiamrc.json`, both owned by nobody (so: run as root); and `x/y/` below, with no
 * package.json anywhere.
 */
export function plantedSharedDir(): { shared: string; ran: string; nested: string } {
  const shared = tempDir('rdsiam-shared-');
  const ran = join(tempDir('rdsiam-witness-'), 'ran');
  writeFiles(shared, {
    '.rdsiamrc.cjs': `require('node:fs').writeFileSync(${JSON.stringify(ran)}, 'ran');\nmodule.exports = ${JSON_CONFIG};\n`,
    '.rdsiamrc.json': JSON_CONFIG,
  });
  for (const name of ['.rdsiamrc.cjs', '.rdsiamrc.json']) chownSync(join(shared, name), NOBODY, NOBODY);
  chmodSync(shared, 0o1777);
  const nested = join(shared, 'x', 'y');
  mkdirSync(nested, { recursive: true });
  return { shared, ran, nested };
}
