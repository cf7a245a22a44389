import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.js';

/** The absolute path of `test/fixtures/projects/<name>`, a read-only project (its own package.json stops the search there). */
export function fixtureProject(name: string): string {
  return fileURLToPath(new URL(`../fixtures/projects/${name}`, import.meta.url));
}

/** A project without a config file: a config search from it finds nothing and stops there. */
export const NO_CONFIG_DIR = fixtureProject('no-config');

/** Writes `files`, given by path relative to `root`, creating directories as needed. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
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
