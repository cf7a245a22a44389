import { execFile, type ExecFileOptions } from 'node:child_process';

export interface Result {
  code: number;
  out: string;
  err: string;
}

/** Runs a command and waits; never throws for a non-zero exit. */
export function run(command: string, args: string[], options: ExecFileOptions = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: 180_000, maxBuffer: 16 << 20, encoding: 'utf8', ...options },
      (error, out, err) =>
        resolve({
          code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0,
          out: String(out),
          err: String(err),
        }),
    );
  });
}

/** Runs the Node running the tests with `args` and only the given environment, plus PATH and a HOME that does not exist. */
export function runNode(
  args: string[],
  env: Record<string, string> = {},
  options: Omit<ExecFileOptions, 'env'> = {},
): Promise<Result> {
  return run(process.execPath, args, {
    ...options,
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env },
  });
}
