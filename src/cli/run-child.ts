import { spawn } from 'node:child_process';
import { constants } from 'node:os';

interface ChildOptions {
  env: Record<string, string | undefined>;
  cwd: string;
  /** Where to say that the command could not be started. */
  err(text: string): void;
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Runs a command on our stdin, stdout and stderr, passing SIGINT and SIGTERM on to it, and resolves to the exit
 * code to pass on: the command's own, 128+n when signal n ended it (as shells report it), 127 when it is not
 * found and 126 when it cannot be run.
 */
export function runChild(command: string, args: string[], options: ChildOptions): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: 'inherit' });
    // While the child runs, these signals are its to act on: we stay until it exits, then clean up.
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    for (const signal of FORWARDED) process.on(signal, forward);
    let settled = false;
    const settle = (code: number): void => {
      if (settled) return;
      settled = true;
      for (const signal of FORWARDED) process.off(signal, forward);
      resolve(code);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      // Also emitted when a forwarded kill fails; the exit that follows, if any, is ignored once settled.
      if (child.pid !== undefined) return;
      if (err.code === 'ENOENT')
        options.err(`rdsiam exec: command not found: ${command} (not an executable on PATH)\n`);
      else options.err(`rdsiam exec: cannot run ${command}: ${err.code ?? err.message}\n`);
      settle(err.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => settle(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  });
}
