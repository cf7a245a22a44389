import { realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute } from 'node:path';
import { TRUST_DIRS_VARIABLE } from './env.js';

const GROUP_OR_OTHERS_WRITE = 0o022;
const OTHERS_WRITE = 0o002;
const STICKY = 0o1000;

/** The users whose files count as this process's own: itself, root, and under sudo the user who ran sudo. */
function trustedOwners(uid: number, env: Record<string, string | undefined>): Set<number> {
  const owners = new Set([uid, 0]);
  const sudoUid = env.SUDO_UID;
  if (uid === 0 && sudoUid !== undefined && /^\d+$/.test(sudoUid)) owners.add(Number(sudoUid));
  return owners;
}

function mode(bits: number): string {
  return (bits & 0o7777).toString(8).padStart(4, '0');
}

/** The directories RDSIAM_TRUST_CONFIG_DIRS lists, resolved; a relative entry is a problem of its own. */
function trustedDirs(env: Record<string, string | undefined>): Set<string> | string {
  const dirs = new Set<string>();
  for (const entry of (env[TRUST_DIRS_VARIABLE] ?? '').split(delimiter)) {
    if (entry === '') continue;
    if (!isAbsolute(entry)) return `${TRUST_DIRS_VARIABLE} must list absolute directories, and holds "${entry}"`;
    try {
      dirs.add(realpathSync(entry));
    } catch {
      // A listed directory that does not exist holds no file to trust.
    }
  }
  return dirs;
}

const MOVE_IT =
  'move the config into a directory of your own (a project with a package.json, or ~/.config/rdsiam/), ' +
  `or, if this directory is shared on purpose, list it in ${TRUST_DIRS_VARIABLE}`;

/**
 * Why the config file `file` must not be loaded, or undefined when it may be: a file that another user could have
 * written or replaced is refused before any of it is read as code or data (a planted config runs code, or sends a
 * signed IAM token to a server of the planter's). On POSIX it is refused when the file is owned by another user
 * (root's and, for root under sudo, SUDO_UID's count as one's own), when it is writable by group or others, or when
 * the directory holding it (only that one; a symlink's target's too) is owned by another user or writable by others,
 * sticky or not. A holding directory listed in RDSIAM_TRUST_CONFIG_DIRS is trusted as it is. Windows has no POSIX
 * owners or modes (process.getuid is missing): nothing is checked there. The text names the reason and the fix.
 */
export function configTrustProblem(
  file: string,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  try {
    const real = realpathSync(file);
    const holders = [...new Set([realpathSync(dirname(file)), dirname(real)])];
    const allowed = trustedDirs(env);
    if (typeof allowed === 'string') return allowed;
    if (holders.every((dir) => allowed.has(dir))) return undefined;
    const owners = trustedOwners(uid, env);

    const stats = statSync(real);
    if (!owners.has(stats.uid)) {
      return (
        `is owned by another user (uid ${stats.uid}), who could have written anything into it; ` +
        `if you trust it, make it yours (cp it to a file of your own), or ${MOVE_IT}`
      );
    }
    if ((stats.mode & GROUP_OR_OTHERS_WRITE) !== 0) {
      return (
        `is writable by group or others (mode ${mode(stats.mode)}), so another user could have changed it; ` +
        `make it writable by you alone: chmod go-w ${real}`
      );
    }
    for (const dir of holders) {
      const dirStats = statSync(dir);
      if (!owners.has(dirStats.uid)) {
        return `is in ${dir}, a directory owned by another user (uid ${dirStats.uid}), who could have put it there; ${MOVE_IT}`;
      }
      if ((dirStats.mode & OTHERS_WRITE) !== 0) {
        const sticky = (dirStats.mode & STICKY) !== 0 ? ', sticky: anyone may add a file there' : '';
        return `is in ${dir}, a directory writable by others (mode ${mode(dirStats.mode)}${sticky}), so anyone could have put it there; ${MOVE_IT}`;
      }
    }
    return undefined;
  } catch (error) {
    return `could not be checked for who may write it: ${(error as Error).message}`;
  }
}
