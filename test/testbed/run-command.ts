import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';

/** The PATH of every program the test bed runs: the system's own directories, whatever the caller's PATH. */
export const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** Looks up an OS user (postgres, mysql) the database servers must run as. */
export async function osUser(name: string): Promise<OsUser> {
  const out = await runCommand('id', ['-u', name]).catch(() => {
    throw new Error(`OS user ${name} does not exist: install the database server packages (see .ci/run)`);
  });
  const gid = await runCommand('id', ['-g', name]);
  return { name, uid: Number(out.trim()), gid: Number(gid.trim()) };
}

/**
 * Runs a program to completion and returns its stdout; fails with the tail of its output, so a
 * broken start-up says why. `as` runs it as another OS user (the servers refuse to run as root).
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: { as?: OsUser; input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? '/',
      env: options.env ?? { PATH: SYSTEM_PATH, LANG: 'C.UTF-8', HOME: '/' },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.as && options.as.uid !== userInfo().uid ? { uid: options.as.uid, gid: options.as.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (error) => reject(new Error(`${file}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else {
        const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${file} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail}`));
      }
    });
    if (child.stdin) {
      // A program may exit before reading its input; its exit status tells what happened.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}
