import { type Result } from './run.js';
/** Whether `shell` is on PATH; a test that needs it skips, saying so, when it is not. */
export declare function hasShell(shell: string): boolean;
/** The shell's own syntax check of a script, without running it. */
export declare function checkSyntax(shell: 'bash' | 'zsh' | 'fish', script: string): Promise<Result>;
/** A directory holding an executable `rdsiam` that runs `command` with its arguments: what the scripts call back. */
export declare function rdsiamBin(command: string[]): string;
interface Where {
    /** A directory with the `rdsiam` the script calls back, put first on PATH. */
    bin: string;
    cwd: string;
}
/** Bash's answer to Tab after `words` (the last one is the word being completed): COMPREPLY. */
export declare function bashComplete(script: string, words: string[], { bin, cwd }: Where): Promise<string[]>;
/** Fish's candidates for the command line `line` (without their descriptions). */
export declare function fishComplete(script: string, line: string, { bin, cwd }: Where): Promise<string[]>;
export {};
