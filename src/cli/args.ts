import { parseArgs, type ParseArgsConfig } from 'node:util';
import { knownNames } from '../config/messages.js';

/** A command's options, as node:util's parseArgs takes them. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** A command called the wrong way; `main` prints the message with the command's help, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * parseArgs, except that an unknown option is a UsageError naming the nearest known one. `hidden` options parse but
 * are never named (old names kept working).
 */
export function parseOptions<const T extends ParseArgsConfig & { args: string[] }>(
  config: T,
  hidden: readonly string[] = [],
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw err;
    throw new UsageError(unknownOption(config, hidden));
  }
}

/** Which option was unknown, read from parseArgs' own tokens rather than from its message. */
function unknownOption(
  { args, options = {} }: ParseArgsConfig & { args: string[] },
  hidden: readonly string[],
): string {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const token = tokens.find((t) => t.kind === 'option' && !Object.hasOwn(options, t.name));
  const given = token?.kind === 'option' ? token.rawName : '';
  const names = Object.keys(options)
    .filter((name) => !hidden.includes(name))
    .map((name) => `--${name}`);
  return `unknown option ${given}${knownNames(given, names, 'options')}`;
}
