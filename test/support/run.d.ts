import { type ExecFileOptions } from 'node:child_process';
export interface Result {
    code: number;
    out: string;
    err: string;
}
/** Runs a command and waits; never throws for a non-zero exit. */
export declare function run(command: string, args: string[], options?: ExecFileOptions): Promise<Result>;
/** Runs the Node running the tests with `args` and only the given environment, plus PATH and a HOME that does not exist. */
export declare function runNode(args: string[], env?: Record<string, string>, options?: Omit<ExecFileOptions, 'env'>): Promise<Result>;
