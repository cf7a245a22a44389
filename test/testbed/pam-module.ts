import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cCompiler } from './requirements.js';
import { runCommand } from './run-command.js';

const SOURCE = fileURLToPath(new URL('./pam/pam_rdsiam.c', import.meta.url));
const PAM_DIR = '/etc/pam.d';

/** Compiles pam_rdsiam.so with gcc (or cc), cached by source hash so an unchanged module is not rebuilt. */
export async function buildPamModule(buildDir: string): Promise<string> {
  const source = await readFile(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const target = join(buildDir, `pam_rdsiam-${hash}.so`);
  if (
    await access(target).then(
      () => true,
      () => false,
    )
  )
    return target;
  await mkdir(buildDir, { recursive: true, mode: 0o755 });
  const tmp = `${target}.${process.pid}.tmp`;
  const compiler = await cCompiler();
  if (compiler === undefined) throw new Error('no working C compiler (gcc or cc) to build the PAM module');
  try {
    await runCommand(compiler, [
      '-shared',
      '-fPIC',
      '-O2',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-o',
      tmp,
      SOURCE,
      '-l:libpam.so.0',
    ]);
  } catch (error) {
    throw new Error(`building the PAM module with ${compiler} failed\n${String(error)}`, {
      cause: error,
    });
  }
  await rename(tmp, target);
  return target;
}

/** One /etc/pam.d file per server, so a token for one server cannot log in to another. */
export async function writePamServices(
  services: readonly string[],
  modulePath: string,
  verifierSocket: string,
): Promise<void> {
  for (const service of services) {
    await writeFile(
      join(PAM_DIR, service),
      `# rdsiam test bed (removed by \`npm run testbed:stop\`)\n` +
        `auth required ${modulePath} socket=${verifierSocket} service=${service}\n` +
        `account required pam_permit.so\n`,
      { mode: 0o644 },
    );
  }
}

export async function removePamServices(services: readonly string[]): Promise<void> {
  await Promise.all(services.map((s) => rm(join(PAM_DIR, s), { force: true })));
}
