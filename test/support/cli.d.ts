import type { TokenDeps } from '../../src/token/token-provider.js';
import { type Result } from './run.js';
/** How to start the real executable: node, then these, then the CLI's own arguments. Resolved here: it may run outside the project. */
export declare const CLI_NODE_ARGS: string[];
/** Text only a token (or its parts) contains. */
export declare const TOKEN_TEXT: RegExp;
/** One CLI run in this process, on buffers, in a project without a config file unless told. */
export declare function inProcess(argv: string[], env?: Record<string, string | undefined>, options?: {
    cwd?: string;
    tokenDeps?: TokenDeps;
}): Promise<Result>;
/** Runs the real executable (through tsx) with only the given environment, plus PATH and a HOME that does not exist. */
export declare function spawnCli(argv: string[], env: Record<string, string>, cwd?: string): Promise<Result>;
