import { parseOptions } from './args.js';
import { getAuthToken } from '../get-auth-token.js';
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, loadOptions, type CliIo } from './io.js';

export const TOKEN_HELP = `Usage: rdsiam token [--url | --env] [--connection NAME] [--config FILE]

Prints one IAM auth token for the configured connection on stdout, and nothing else:
  PGPASSWORD="$(npx rdsiam token)" psql "host=... sslmode=verify-full ..."
  mysql --enable-cleartext-plugin --password="$(npx rdsiam token)" ...

Options:
      --url                print the connection as one URL instead, the token percent-encoded and the TLS
                           parameters included (what \`rdsiam exec\` puts in DATABASE_URL)
      --env                print shell lines setting the variables \`rdsiam exec\` sets:
                           eval "$(npx rdsiam token --env)"
${CONFIG_FLAGS_HELP}

The CA (and for MySQL the option file) that --url and --env name are kept in $XDG_CACHE_HOME/rdsiam
(default ~/.cache/rdsiam). The token lets clients open new connections for 15 minutes (RDS).

Exit code: 0 when printed, 1 when no token could be had, 2 for a usage or config error.`;

export const TOKEN_OPTIONS = { ...CONFIG_FLAGS, url: { type: 'boolean' }, env: { type: 'boolean' } } as const;

export async function tokenCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions({ args, options: TOKEN_OPTIONS, allowPositionals: false });
  if (values.help) {
    io.out(`${TOKEN_HELP}\n`);
    return 0;
  }
  if (values.url && values.env) {
    io.err(`rdsiam token: --url and --env print different things; give one.\n\n${TOKEN_HELP}\n`);
    return 2;
  }
  if (!values.url && !values.env) {
    io.out(`${await getAuthToken({ ...loadOptions(io, values), ...io.tokenDeps })}\n`);
    return 0;
  }
  // Loaded only here: a plain `rdsiam token`, the common case, needs none of it.
  const { setUpClient } = await import('./client-setup.js');
  const { env } = await setUpClient(io, values, 'cached');
  if (values.url) io.out(`${env.set.DATABASE_URL}\n`);
  else io.out(exportLines(env.set, env.unset));
  return 0;
}

/** POSIX shell: `unset` for inherited variables that would interfere, then one `export` per variable. */
function exportLines(set: Record<string, string>, unset: string[]): string {
  const lines = unset.length === 0 ? [] : [`unset ${unset.join(' ')}`];
  for (const [name, value] of Object.entries(set)) lines.push(`export ${name}=${shellQuote(value)}`);
  return `${lines.join('\n')}\n`;
}

/** Single quotes keep everything literal; a single quote itself is closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
