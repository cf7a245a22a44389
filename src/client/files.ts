import { createHash, randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientTarget } from './env.js';

/**
 * `temporary`: files in a new private directory that the caller removes (`rdsiam exec`). `cached`: files that
 * outlive the command (`token --url|--env` print their paths, a Prisma URL names its CA), kept by content in the
 * user's cache dir.
 */
export type FilePlacement = 'temporary' | 'cached';

/** The directory for one client's files: a new one, or the cached one for this target. */
export async function clientFilesDir(
  target: ClientTarget,
  placement: FilePlacement,
  env: Record<string, string | undefined>,
): Promise<string> {
  if (placement === 'temporary') return mkdtemp(join(tmpdir(), 'rdsiam-exec-'));
  const id = createHash('sha256').update(JSON.stringify(target)).digest('hex').slice(0, 16);
  return join(cacheRoot(env), `client-${id}`);
}

function cacheRoot(env: Record<string, string | undefined>): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'rdsiam');
}

/** Mode 0600 in a 0700 directory. Cached files are replaced atomically: another command may be reading them. */
export async function writeClientFiles(
  dir: string,
  files: Record<string, string>,
  placement: FilePlacement,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    if (placement === 'temporary') {
      await writeFile(path, content, { mode: 0o600, flag: 'wx' });
      continue;
    }
    const staging = `${path}.${randomUUID()}.tmp`;
    await writeFile(staging, content, { mode: 0o600 });
    await chmod(staging, 0o600);
    await rename(staging, path);
  }
}
