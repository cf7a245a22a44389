/** The PATH of every program the test bed runs: the system's own directories, whatever the caller's PATH. */
export declare const SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
export interface OsUser {
    name: string;
    uid: number;
    gid: number;
}
/** Looks up an OS user (postgres, mysql) the database servers must run as. */
export declare function osUser(name: string): Promise<OsUser>;
/**
 * Runs a program to completion and returns its stdout; fails with the tail of its output, so a
 * broken start-up says why. `as` runs it as another OS user (the servers refuse to run as root).
 */
export declare function runCommand(file: string, args: readonly string[], options?: {
    as?: OsUser;
    input?: string;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
}): Promise<string>;
