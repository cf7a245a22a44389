import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MARIADBD } from './mariadb.js';
import { postgresBinDir } from './postgres.js';
import { runCommand, SYSTEM_PATH } from './run-command.js';

/** For `.then(...outcome)`: whether a promise fulfilled. */
const outcome = [() => true, () => false] as const;

/** What the test bed needs from the machine, and the Debian packages that provide it: the one list. */
export interface Requirement {
  /** For people: "the PostgreSQL server". */
  what: string;
  packages: readonly string[];
  /** Whether the machine has it, looking up programs on `path`. */
  present(path: string): Promise<boolean>;
}

export const REQUIREMENTS: readonly Requirement[] = [
  {
    what: 'the PostgreSQL server',
    packages: ['postgresql'],
    present: () => postgresBinDir().then(...outcome),
  },
  {
    what: 'the MariaDB server',
    packages: ['mariadb-server'],
    present: () => access(MARIADBD).then(...outcome),
  },
  {
    // For pam_rdsiam.so. No PAM headers: the module declares the PAM symbols it uses (see pam/pam_rdsiam.c).
    what: 'a C compiler',
    packages: ['gcc', 'libc6-dev'],
    present: async (path) => (await cCompiler(path)) !== undefined,
  },
  {
    what: 'openssl',
    packages: ['openssl'],
    present: (path) => runCommand('openssl', ['version'], { env: { PATH: path } }).then(...outcome),
  },
];

/** The requirements this machine lacks. */
export async function missingRequirements(path = SYSTEM_PATH): Promise<Requirement[]> {
  const present = await Promise.all(REQUIREMENTS.map((r) => r.present(path)));
  return REQUIREMENTS.filter((_, i) => !present[i]);
}

/**
 * The first of gcc and cc that builds a shared object against the C library, or undefined. It compiles for real,
 * because a `gcc` on PATH is not enough (without its cc1 or the libc headers it fails on the first file).
 */
export async function cCompiler(path = SYSTEM_PATH): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'rdsiam-cc-'));
  try {
    for (const compiler of ['gcc', 'cc']) {
      const works = await runCommand(compiler, ['-x', 'c', '-shared', '-fPIC', '-o', join(dir, 'probe.so'), '-'], {
        env: { PATH: path },
        input: '#include <stdlib.h>\nint probe(void) { return abs(-1); }\n',
      }).then(...outcome);
      if (works) return compiler;
    }
    return undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the test bed does about missing requirements, decided from facts alone (see `ensureRequirements`). */
export type InstallPlan =
  | { action: 'none' }
  | { action: 'install'; packages: string[]; announcement: string }
  | { action: 'refuse'; packages: string[]; message: string };

export interface MachineFacts {
  missing: readonly Requirement[];
  root: boolean;
  aptGet: boolean;
  env: { CI?: string | undefined; TESTBED_NO_INSTALL?: string | undefined };
}

/**
 * Installs only as root, with apt-get, outside CI (where .ci/run installs, so a missing package there is a
 * broken CI image, not something to paper over) and unless TESTBED_NO_INSTALL=1. Otherwise it says what to run.
 */
export function installPlan({ missing, root, aptGet, env }: MachineFacts): InstallPlan {
  if (missing.length === 0) return { action: 'none' };
  const packages = [...new Set(missing.flatMap((r) => r.packages))];
  const needs = `the test bed needs ${missing.map((r) => r.what).join(', ')}`;
  const command = aptCommand(packages, root);
  const refuse = (why: string) => ({
    action: 'refuse' as const,
    packages,
    message: `${needs}; ${why}: \`${command}\``,
  });
  if (!aptGet) return refuse('there is no apt-get here; on Debian or Ubuntu it would be');
  if (!root) return refuse('not root, so it installs nothing; run');
  if (/^(1|true)$/i.test(env.CI ?? ''))
    return refuse('CI is set, so it installs nothing (.ci/run installs first); run');
  if (env.TESTBED_NO_INSTALL === '1') return refuse('TESTBED_NO_INSTALL=1, so it installs nothing; run');
  return { action: 'install', packages, announcement: `${needs}: installing ${packages.join(' ')} with apt-get` };
}

/** The command a person runs (or the test bed runs as root): one line, ready to paste. */
export function aptCommand(packages: readonly string[], root: boolean): string {
  const sudo = root ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** The machine cannot run the test bed until someone installs packages; `message` says which and how. */
export class TestbedNotReadyError extends Error {
  override name = 'TestbedNotReadyError';
}

/**
 * Checks the machine and installs what is missing when `installPlan` allows it; throws TestbedNotReadyError with
 * the command to run when it does not. `force` installs in CI too (for .ci/run, which asks for it explicitly).
 */
export async function ensureRequirements(
  say: (line: string) => void,
  { env = process.env, force = false }: { env?: NodeJS.ProcessEnv; force?: boolean } = {},
): Promise<void> {
  const missing = await missingRequirements();
  if (missing.length === 0) return;
  const plan = installPlan({
    missing,
    root: process.getuid?.() === 0,
    aptGet: await runCommand('apt-get', ['--version']).then(...outcome),
    env: force ? { TESTBED_NO_INSTALL: env.TESTBED_NO_INSTALL } : env,
  });
  if (plan.action === 'refuse') throw new TestbedNotReadyError(plan.message);
  if (plan.action === 'none') return;
  say(plan.announcement);
  const aptEnv = { PATH: SYSTEM_PATH, DEBIAN_FRONTEND: 'noninteractive', LANG: 'C.UTF-8' };
  await runCommand('apt-get', ['update', '-qq'], { env: aptEnv });
  await runCommand('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...plan.packages], { env: aptEnv });
  const still = await missingRequirements();
  if (still.length > 0)
    throw new Error(
      `apt-get installed ${plan.packages.join(' ')}, yet ${still.map((r) => r.what).join(', ')} is missing`,
    );
}
