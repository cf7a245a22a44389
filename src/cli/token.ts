import { parseArgs } from 'node:util';
import { getAuthToken } from '../token/get-auth-token.js';
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, loadOptions, type CliIo } from './io.js';

export const TOKEN_HELP = `Usage: rdsiam token [--connection NAME] [--config FILE]

Prints one IAM auth token for the configured connection on stdout, and nothing else:
  PGPASSWORD="$(npx rdsiam token)" psql "host=... sslmode=verify-full ..."
  mysql --enable-cleartext-plugin --password="$(npx rdsiam token)" ...

Options:
${CONFIG_FLAGS_HELP}`;

export async function tokenCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: CONFIG_FLAGS, allowPositionals: false });
  if (values.help) {
    io.out(`${TOKEN_HELP}\n`);
    return 0;
  }
  io.out(`${await getAuthToken(loadOptions(io, values))}\n`);
  return 0;
}
