import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { TokenDeps } from '../../src/token/token-provider.js';
import { NO_CONFIG_DIR } from './projects.js';
import { runNode, type Result } from './run.js';

const RUN = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));

/** How to start the real executable: node, then these, then the CLI's own arguments. Resolved here: it may run outside the project. */
export const CLI_NODE_ARGS = ['--import', import.meta.resolve('tsx'), RUN];

/** Text only a token (or its parts) contains. */
export const TOKEN_TEXT = /X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential/;

/** One CLI run in this process, on buffers, in a project without a config file unless told. */
export async function inProcess(
  argv: string[],
  env: Record<string, string | undefined> = {},
  options: { cwd?: string; tokenDeps?: TokenDeps } = {},
): Promise<Result> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env,
    cwd: options.cwd ?? NO_CONFIG_DIR,
    ...(options.tokenDeps === undefined ? {} : { tokenDeps: options.tokenDeps }),
  });
  return { code, out, err };
}

/** Runs the real executable (through tsx) with only the given environment, plus PATH and a HOME that does not exist. */
export function spawnCli(argv: string[], env: Record<string, string>, cwd = NO_CONFIG_DIR): Promise<Result> {
  return runNode([...CLI_NODE_ARGS, ...argv], env, { cwd, timeout: 60_000 });
}
