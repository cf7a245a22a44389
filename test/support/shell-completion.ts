// Completion scripts run the way each shell runs them on Tab, in a real shell.
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type Result } from './run.js';
import { tempDir } from './temp-dir.js';

/** Whether `shell` is on PATH; a test that needs it skips, saying so, when it is not. */
export function hasShell(shell: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
}

/** The shell's own syntax check of a script, without running it. */
export function checkSyntax(shell: 'bash' | 'zsh' | 'fish', script: string): Promise<Result> {
  const file = join(tempDir('rdsiam-completion-'), `rdsiam.${shell}`);
  writeFileSync(file, script);
  return run(shell, [shell === 'fish' ? '--no-execute' : '-n', file]);
}

/** A directory holding an executable `rdsiam` that runs `command` with its arguments: what the scripts call back. */
export function rdsiamBin(command: string[]): string {
  const dir = tempDir('rdsiam-bin-');
  const quoted = command.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  writeFileSync(join(dir, 'rdsiam'), `#!/bin/sh\nexec ${quoted} "$@"\n`);
  chmodSync(join(dir, 'rdsiam'), 0o755);
  return dir;
}

interface Where {
  /** A directory with the `rdsiam` the script calls back, put first on PATH. */
  bin: string;
  cwd: string;
}

function env(bin: string): Record<string, string> {
  return { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: '/nonexistent' };
}

/** Bash's answer to Tab after `words` (the last one is the word being completed): COMPREPLY. */
export async function bashComplete(script: string, words: string[], { bin, cwd }: Where): Promise<string[]> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
  const body = 'eval "$SCRIPT"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _rdsiam; printf "%s\\n" "${COMPREPLY[@]}"';
  const r = await run('bash', ['-c', body, 'bash', ...words], { cwd, env: { ...env(bin), SCRIPT: script } });
  if (r.code !== 0) throw new Error(`bash completion failed (${r.code}): ${r.err}`);
  return r.out.split('\n').filter((line) => line !== '');
}

/** Fish's candidates for the command line `line` (without their descriptions). */
export async function fishComplete(script: string, line: string, { bin, cwd }: Where): Promise<string[]> {
  const body = 'printf "%s\\n" $SCRIPT | source; complete -C $LINE';
  const r = await run('fish', ['-c', body], { cwd, env: { ...env(bin), SCRIPT: script, LINE: line } });
  if (r.code !== 0) throw new Error(`fish completion failed (${r.code}): ${r.err}`);
  return r.out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t')[0]!);
}
