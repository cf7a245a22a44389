import { ConfigError } from '../errors.js';
import { scrub } from '../secret.js';
import type { CliIo } from './io.js';

const HELP = `rdsiam: AWS IAM database authentication for RDS, Aurora and Aurora DSQL

Usage: rdsiam <command> [options]

Commands:
  token     print one IAM auth token for the configured connection (--url: as a DSN, --env: as shell exports)
  exec      run a command (psql, mysql, a migration tool) with a fresh token in its environment
  check     explain how the config resolves (--connect to also connect, --json for JSON)
  schema    print the config file's JSON Schema

Run \`rdsiam <command> --help\` for a command's options.`;

interface Command {
  help: string;
  run(args: string[], io: CliIo): number | Promise<number>;
}

// Each command is loaded when it runs: `rdsiam token`, run once per psql session, need not load exec or check.
const COMMANDS: Record<string, () => Promise<Command>> = {
  token: () => import('./token.js').then((m) => ({ help: m.TOKEN_HELP, run: m.tokenCommand })),
  exec: () => import('./exec.js').then((m) => ({ help: m.EXEC_HELP, run: m.execCommand })),
  check: () => import('./check.js').then((m) => ({ help: m.CHECK_HELP, run: m.checkCommand })),
  schema: () => import('./schema.js').then((m) => ({ help: m.SCHEMA_HELP, run: m.schemaCommand })),
};

/**
 * Runs one CLI invocation and returns its exit code: 0 done, 1 a runtime failure, 2 a usage or
 * config error. Errors go to `io.err`, never a token.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(`${HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`rdsiam: unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}. See rdsiam --help.\n`);
    return 2;
  }
  const command = await load();
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`rdsiam ${name}: ${(err as Error).message}\n\n${command.help}\n`);
      return 2;
    }
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    io.err(`rdsiam ${name}: ${scrub(message)}\n`);
    return 1;
  }
}
