import { readDataConfigFile, connectionNamesIn } from '../config/data-file.js';
import { parseOptions, UsageError, type Options } from './args.js';
import { CONFIG_FLAGS, type CliIo } from './io.js';
import { shellQuote } from './token.js';

export const COMPLETION_HELP = `Usage: rdsiam completion bash|zsh|fish

Prints a completion script for the shell: the commands, their options, and for --connection the names under
\`connections\` in the config file found from the current directory. Install it:
  bash  in ~/.bashrc: source <(rdsiam completion bash)
  zsh   in ~/.zshrc, after compinit: source <(rdsiam completion zsh)
  fish  rdsiam completion fish > ~/.config/fish/completions/rdsiam.fish

The names are read when you press Tab, and only from a data config (JSON, YAML, the "rdsiam" key of
package.json): a config in code (.js, .ts...) is never run for completion, and gives no names.

Options:
      --connections        print those names, one a line (what the scripts run)
  -h, --help               show this help

Exit code: 0, or 2 for a usage error (no shell, or one not supported).`;

export const COMPLETION_OPTIONS = { connections: { type: 'boolean' }, help: CONFIG_FLAGS.help } as const;

/** What the scripts complete: each command, its summary and its options (top-level options under ''). */
export interface CommandSpec {
  name: string;
  summary: string;
  options: Options;
}

const SHELLS = { bash, zsh, fish } as const;

export async function completionCommand(args: string[], io: CliIo, commands: () => Promise<CommandSpec[]>) {
  const { values, positionals } = parseOptions({ args, options: COMPLETION_OPTIONS, allowPositionals: true });
  if (values.help) {
    io.out(`${COMPLETION_HELP}\n`);
    return 0;
  }
  if (values.connections) {
    const found = await readDataConfigFile(io.cwd, io.env);
    for (const name of connectionNamesIn(found?.config)) io.out(`${name}\n`);
    return 0;
  }
  const [shell, ...extra] = positionals;
  if (shell === undefined || !Object.hasOwn(SHELLS, shell) || extra.length > 0) {
    throw new UsageError(
      shell === undefined ? 'name the shell: bash, zsh or fish' : `no completion for "${positionals.join(' ')}"`,
    );
  }
  io.out(SHELLS[shell as keyof typeof SHELLS](await commands()));
  return 0;
}

/** The long flags of some options. */
function longFlags(options: Options, which: (name: string) => boolean = () => true): string[] {
  return Object.keys(options)
    .filter(which)
    .map((name) => `--${name}`);
}

/** Every spelling, long and short, of the options that take a value: the connection's, and the others (files). */
function valueFlags(commands: CommandSpec[]): { connection: string[]; file: string[] } {
  const flags = { connection: new Set<string>(), file: new Set<string>() };
  for (const { options } of commands) {
    for (const [name, option] of Object.entries(options)) {
      if (option.type !== 'string') continue;
      const set = name === 'connection' ? flags.connection : flags.file;
      set.add(`--${name}`);
      if (option.short !== undefined) set.add(`-${option.short}`);
    }
  }
  return { connection: [...flags.connection], file: [...flags.file] };
}

/** What follows a command: its options; `completion` takes the shell's name too. */
function wordsAfter({ name, options }: CommandSpec): string[] {
  return [...(name === 'completion' ? Object.keys(SHELLS) : []), ...longFlags(options)];
}

function split(commands: CommandSpec[]) {
  return { top: commands.find((c) => c.name === '')!, named: commands.filter((c) => c.name !== '') };
}

function bash(commands: CommandSpec[]): string {
  const { top, named } = split(commands);
  const flags = valueFlags(commands);
  const arms = named.map((c) => `    ${c.name}) words=${shellQuote(wordsAfter(c).join(' '))} ;;`);
  return `# rdsiam completion for bash. Load it in ~/.bashrc:
#   source <(rdsiam completion bash)
_rdsiam() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} command= words i
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ -z $command ]]; then
      [[ \${COMP_WORDS[i]} != -* ]] && command=\${COMP_WORDS[i]}
    elif [[ \${COMP_WORDS[i]} == -- ]]; then
      # After --: the command that exec runs, then its arguments.
      compopt -o default 2>/dev/null
      COMPREPLY=()
      ((i == COMP_CWORD - 1)) && COMPREPLY=($(compgen -c -- "$cur"))
      return 0
    fi
  done
  case $prev in
    ${flags.connection.join('|')})
      local IFS=$'\\n'
      COMPREPLY=($(compgen -W "$("\${COMP_WORDS[0]}" completion --connections 2>/dev/null)" -- "$cur"))
      return 0 ;;
    ${flags.file.join('|')})
      compopt -o default 2>/dev/null
      COMPREPLY=()
      return 0 ;;
  esac
  case $command in
    '') words=${shellQuote([...named.map((c) => c.name), ...longFlags(top.options)].join(' '))} ;;
${arms.join('\n')}
    *) return 0 ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _rdsiam rdsiam
`;
}

function zsh(commands: CommandSpec[]): string {
  const { top, named } = split(commands);
  const flags = valueFlags(commands);
  const described = named.map((c) => shellQuote(`${c.name}:${c.summary}`)).join(' ');
  const arms = named.map((c) => `    ${c.name}) compadd -- ${wordsAfter(c).join(' ')} ;;`);
  return `#compdef rdsiam
# rdsiam completion for zsh. Load it in ~/.zshrc, after compinit:
#   source <(rdsiam completion zsh)
# or save it as _rdsiam in a directory of $fpath.
_rdsiam() {
  local command= i
  for ((i = 2; i < CURRENT; i++)); do
    if [[ -z $command ]]; then
      [[ $words[i] != -* ]] && command=$words[i]
    elif [[ $words[i] == -- ]]; then
      # After --: the command that exec runs, completed as if typed on its own.
      shift $i words
      (( CURRENT -= i ))
      _normal
      return
    fi
  done
  case $words[CURRENT-1] in
    ${flags.connection.join('|')})
      local -a names
      names=(\${(f)"$(_call_program connections $words[1] completion --connections 2>/dev/null)"})
      compadd -a names
      return ;;
    ${flags.file.join('|')})
      _files
      return ;;
  esac
  case $command in
    '')
      local -a commands
      commands=(${described})
      _describe -t commands command commands
      compadd -- ${longFlags(top.options).join(' ')} ;;
${arms.join('\n')}
  esac
}
if [[ $funcstack[1] == _rdsiam ]]; then _rdsiam "$@"; else compdef _rdsiam rdsiam; fi
`;
}

function fish(commands: CommandSpec[]): string {
  const { top, named } = split(commands);
  const lines = named.map(
    (c) => `complete -c rdsiam -n __fish_use_subcommand -a ${c.name} -d ${shellQuote(c.summary)}`,
  );
  for (const [name, option] of Object.entries(top.options)) {
    lines.push(`complete -c rdsiam -n __fish_use_subcommand${fishFlag(name, option.short)}`);
  }
  for (const c of named) {
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    if (c.name === 'completion') lines.push(`complete -c rdsiam ${when} -a '${Object.keys(SHELLS).join(' ')}'`);
    for (const [name, option] of Object.entries(c.options)) {
      const value =
        option.type !== 'string' ? '' : name === 'connection' ? " -x -a '(__rdsiam_connections)'" : ' -r -F';
      lines.push(`complete -c rdsiam ${when}${fishFlag(name, option.short)}${value}`);
    }
  }
  return `# rdsiam completion for fish. Save it where fish finds it:
#   rdsiam completion fish > ~/.config/fish/completions/rdsiam.fish
function __rdsiam_connections
    set -l rdsiam (commandline -opc)[1]
    $rdsiam completion --connections 2>/dev/null
end
complete -c rdsiam -f
# After --: what exec runs, and its files.
complete -c rdsiam -n 'contains -- -- (commandline -opc)' -F
${lines.join('\n')}
`;
}

function fishFlag(name: string, short: string | undefined): string {
  return `${short === undefined ? '' : ` -s ${short}`} -l ${name}`;
}
