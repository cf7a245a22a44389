import { knownNames } from '../config/messages.js';
import { ConfigError } from '../errors.js';
import { scrub } from '../secret.js';
import { UsageError, type Options } from './args.js';
import type { CommandSpec } from './completion.js';
import type { CliIo } from './io.js';
import { TOKEN_HELP, TOKEN_OPTIONS, tokenCommand } from './token.js';

interface Command {
  help: string;
  options: Options;
  run(args: string[], io: CliIo): number | Promise<number>;
}

// Each command but token is loaded when it runs: `rdsiam token`, run once per psql session, need not load exec or
// check (the build puts them in a file of their own that only they load: scripts/build.ts). Token itself is imported
// as is: an `import()` of it made esbuild wrap it and every module it uses in a function run on first call, so that
// each was parsed twice (about 1.5% of a cold `rdsiam token`).
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  token: {
    summary: 'print one IAM auth token for the configured connection (--url: as a DSN, --env: as shell exports)',
    load: async () => ({ help: TOKEN_HELP, options: TOKEN_OPTIONS, run: tokenCommand }),
  },
  exec: {
    summary: 'run a command (psql, mysql, a migration tool) with a fresh token in its environment',
    load: () => import('./exec.js').then((m) => ({ help: m.EXEC_HELP, options: m.EXEC_OPTIONS, run: m.execCommand })),
  },
  check: {
    summary: 'explain how the config resolves (--connect to also connect, --json for JSON)',
    load: () =>
      import('./check.js').then((m) => ({ help: m.CHECK_HELP, options: m.CHECK_OPTIONS, run: m.checkCommand })),
  },
  doctor: {
    summary: 'find why an IAM login is refused, and name the cause (AWS lookups, a TLS handshake, a login)',
    load: () =>
      import('./doctor.js').then((m) => ({ help: m.DOCTOR_HELP, options: m.DOCTOR_OPTIONS, run: m.doctorCommand })),
  },
  policy: {
    summary: 'print the least-privilege IAM policy (or --sql, the database grant) for the connection',
    load: () =>
      import('./policy.js').then((m) => ({ help: m.POLICY_HELP, options: m.POLICY_OPTIONS, run: m.policyCommand })),
  },
  proxy: {
    summary: 'a local PostgreSQL endpoint that signs in with IAM, for GUIs, agents and other languages',
    load: () =>
      import('./proxy.js').then((m) => ({ help: m.PROXY_HELP, options: m.PROXY_OPTIONS, run: m.proxyCommand })),
  },
  schema: {
    summary: "print the config file's JSON Schema",
    load: () =>
      import('./schema.js').then((m) => ({ help: m.SCHEMA_HELP, options: m.SCHEMA_OPTIONS, run: m.schemaCommand })),
  },
  version: {
    summary: 'print the version (--json: with the Node.js version and runtime, for a bug report)',
    load: () =>
      import('./version.js').then((m) => ({ help: m.VERSION_HELP, options: m.VERSION_OPTIONS, run: m.versionCommand })),
  },
  completion: {
    summary: 'print a completion script for bash, zsh or fish',
    load: () =>
      import('./completion.js').then((m) => ({
        help: m.COMPLETION_HELP,
        options: m.COMPLETION_OPTIONS,
        run: (args, io) => m.completionCommand(args, io, commandSpecs),
      })),
  },
};

/** What `rdsiam` takes without a command. */
const TOP_OPTIONS = {
  version: { type: 'boolean', short: 'V' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

const HELP = `rdsiam: AWS IAM database authentication for RDS, Aurora and Aurora DSQL

Usage: rdsiam <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(12)}${summary}`)
  .join('\n')}

Options:
  -V, --version   print the version (as \`rdsiam version\`)
  -h, --help      show this help

Run \`rdsiam <command> --help\` for a command's options.

Exit code: 0 done, 1 a runtime failure, 2 a usage or config error; each command's help says more.`;

async function commandSpecs(): Promise<CommandSpec[]> {
  const named = Object.entries(COMMANDS).map(async ([name, { summary, load }]) => ({
    name,
    summary,
    options: (await load()).options,
  }));
  return [{ name: '', summary: '', options: TOP_OPTIONS }, ...(await Promise.all(named))];
}

function unknownCommand(name: string): string {
  const [what, names] = name.startsWith('-')
    ? ['option', Object.keys(TOP_OPTIONS).map((n) => `--${n}`)]
    : ['command', Object.keys(COMMANDS)];
  const hint = knownNames(name, names, `${what}s`);
  return `rdsiam: unknown ${what} "${name}"${hint}${hint.endsWith('?') ? '' : '.'} See rdsiam --help.\n`;
}

/**
 * Runs one CLI invocation and returns its exit code: 0 done, 1 a runtime failure, 2 a usage or
 * config error. Errors go to `io.err`, never a token.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, ...args] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.out(`${HELP}\n`);
    return first === undefined ? 2 : 0;
  }
  const name = first === '--version' || first === '-V' ? 'version' : first;
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.err(unknownCommand(name));
    return 2;
  }
  const command = await entry.load();
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    const code = (err as { code?: unknown }).code;
    if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`rdsiam ${name}: ${(err as Error).message}\n\n${command.help}\n`);
      return 2;
    }
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    io.err(`rdsiam ${name}: ${scrub(message)}\n`);
    return 1;
  }
}
