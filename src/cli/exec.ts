import { parseOptions } from './args.js';
import { setUpClient, type ClientSetup } from './client-setup.js';
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, type CliIo } from './io.js';
import { runChild } from './run-child.js';

export const EXEC_HELP = `Usage: rdsiam exec [--quiet] [--connection NAME] [--config FILE] -- <command> [args...]

Runs <command> with a fresh IAM token and the connection in its environment, never on its command line:
  rdsiam exec -- psql -c 'select current_user'
  rdsiam exec -- mariadb -e 'select current_user()'
  rdsiam exec -- npx drizzle-kit migrate

PostgreSQL: PGHOST, PGHOSTADDR (when dialling a tunnel or an IP), PGPORT, PGUSER, PGDATABASE, PGPASSWORD,
  PGSSLMODE (verify-full or verify-ca) and PGSSLROOTCERT.
MySQL: MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_PWD, LIBMYSQL_ENABLE_CLEARTEXT_PLUGIN=Y, and an option file with the
  user and the TLS settings, read through MYSQL_HOME / MARIADB_HOME.
Both: DATABASE_URL (token percent-encoded, TLS parameters included) and NODE_EXTRA_CA_CERTS.
The CA and option files are in a private directory that is removed when the command exits. The token
lets the command open new connections for 15 minutes (RDS); open ones stay up.

Options:
  -q, --quiet              print nothing (else one line on stderr says what was set, never the token)
${CONFIG_FLAGS_HELP}

Exit code: the command's (128+n when signal n ended it), 127 when it is not found, 126 when it cannot
be run, 1 when no token could be had, 2 for a usage or config error.`;

export const EXEC_OPTIONS = { ...CONFIG_FLAGS, quiet: { type: 'boolean', short: 'q' } } as const;

// --quiet's first name, kept working but out of the help through the 0.x releases (CHANGELOG.md).
const OLD_NAMES = { 'env-only': { type: 'boolean' } } as const;

export async function execCommand(args: string[], io: CliIo): Promise<number> {
  const split = args.indexOf('--');
  const own = split === -1 ? args : args.slice(0, split);
  if (split === -1 && !own.some((a) => a === '--help' || a === '-h')) {
    return usage(io, 'the command goes after --, as in: rdsiam exec -- psql');
  }
  const { values } = parseOptions({ args: own, options: { ...EXEC_OPTIONS, ...OLD_NAMES } }, Object.keys(OLD_NAMES));
  if (values.help) {
    io.out(`${EXEC_HELP}\n`);
    return 0;
  }
  const [command, ...commandArgs] = args.slice(split + 1);
  if (command === undefined || command === '') return usage(io, 'no command after --');

  const setup = await setUpClient(io, values, 'temporary');
  try {
    if (!values.quiet && !values['env-only']) io.err(notice(setup));
    const env = { ...io.env };
    for (const name of setup.env.unset) delete env[name];
    return await runChild(command, commandArgs, { env: { ...env, ...setup.env.set }, cwd: io.cwd, err: io.err });
  } finally {
    await setup.dispose();
  }
}

function usage(io: CliIo, problem: string): number {
  io.err(`rdsiam exec: ${problem}\n\n${EXEC_HELP}\n`);
  return 2;
}

/** One line on what the command gets: whom it signs in as, how TLS is checked, which variables. Never the token. */
function notice({ target, token, env }: ClientSetup): string {
  const via = target.dialHost === undefined ? '' : ` via ${target.dialHost}`;
  return (
    `rdsiam exec: token ${token.fingerprint} for ${target.user}@${target.host}:${target.port}${via}, ${target.mode}; ` +
    `set ${Object.keys(env.set).join(' ')}\n`
  );
}
