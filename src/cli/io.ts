import type { TokenDeps } from '../token/token-provider.js';

/** Where a command writes, and the environment it reads: process streams in `rdsiam`, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** A signer, credentials or clock to use instead of the config's (tests). */
  tokenDeps?: TokenDeps;
}

/** Options every command that reads the config takes. */
export interface ConfigFlags {
  config?: string;
  connection?: string;
}

export const CONFIG_FLAGS = {
  config: { type: 'string', short: 'c' },
  connection: { type: 'string', short: 'n' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const CONFIG_FLAGS_HELP = `  -c, --config FILE        use this config file instead of searching for one (env: RDSIAM_CONFIG)
  -n, --connection NAME    a named connection from \`connections\` (default: the top level)
  -h, --help               show this help`;

/** loadConfig options from the flags and the CLI's environment. */
export function loadOptions(io: CliIo, flags: ConfigFlags) {
  return {
    cwd: io.cwd,
    env: io.env,
    ...(flags.config !== undefined && { configFile: flags.config }),
    ...(flags.connection !== undefined && { connection: flags.connection }),
  };
}
