import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { TokenDeps } from '../../src/token/token-provider.js';
import type { Testbed, TestCredentials } from './testbed.js';

const RUN = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));

/** How to start the real executable: node, then these, then the CLI's own arguments. Resolved here: it may run outside the project. */
export const CLI_NODE_ARGS = ['--import', import.meta.resolve('tsx'), RUN];

/** Text only a token (or its parts) contains. */
export const TOKEN_TEXT = /X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential/;

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** One CLI run in this process, on buffers, in an empty directory unless told. */
export async function inProcess(
  argv: string[],
  env: Record<string, string | undefined> = {},
  options: { cwd?: string; tokenDeps?: TokenDeps } = {},
): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env,
    cwd: options.cwd ?? (await mkdtemp(join(tmpdir(), 'rdsiam-cli-'))),
    ...(options.tokenDeps === undefined ? {} : { tokenDeps: options.tokenDeps }),
  });
  return { code, out, err };
}

/** Runs the real executable (through tsx) with only the given environment, plus PATH and a HOME that does not exist. */
export function spawnCli(argv: string[], env: Record<string, string>, cwd = tmpdir()): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI_NODE_ARGS, ...argv],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env }, timeout: 60_000 },
      (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

/** The env of a user behind a tunnel: dial the test bed's 127.0.0.1, sign for and check the certificate against its endpoint. */
export function testbedCliEnv(
  tb: Testbed,
  engine: 'postgres' | 'mysql',
  key: TestCredentials,
  extra: Record<string, string> = {},
): Record<string, string> {
  const s = tb[engine];
  return {
    RDSIAM_DSN: `${engine}://${s.iamUser}@${s.host}:${s.port}/${s.database}`,
    RDSIAM_PLUGINS: 'iam',
    RDSIAM_IAM_HOST: s.endpoint,
    RDSIAM_SSL__CA: tb.ca,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    ...(key.sessionToken ? { AWS_SESSION_TOKEN: key.sessionToken } : {}),
    ...extra,
  };
}
