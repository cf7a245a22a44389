/** What the test bed needs from the machine, and the Debian packages that provide it: the one list. */
export interface Requirement {
    /** For people: "the PostgreSQL server". */
    what: string;
    packages: readonly string[];
    /** Whether the machine has it, looking up programs on `path`. */
    present(path: string): Promise<boolean>;
}
export declare const REQUIREMENTS: readonly Requirement[];
/** The requirements this machine lacks. */
export declare function missingRequirements(path?: string): Promise<Requirement[]>;
/**
 * The first of gcc and cc that builds a shared object against the C library, or undefined. It compiles for real,
 * because a `gcc` on PATH is not enough (without its cc1 or the libc headers it fails on the first file).
 */
export declare function cCompiler(path?: string): Promise<string | undefined>;
/** What the test bed does about missing requirements, decided from facts alone (see `ensureRequirements`). */
export type InstallPlan = {
    action: 'none';
} | {
    action: 'install';
    packages: string[];
    announcement: string;
} | {
    action: 'refuse';
    packages: string[];
    message: string;
};
export interface MachineFacts {
    missing: readonly Requirement[];
    root: boolean;
    aptGet: boolean;
    env: {
        CI?: string | undefined;
        TESTBED_NO_INSTALL?: string | undefined;
    };
}
/**
 * Installs only as root, with apt-get, outside CI (where .ci/run installs, so a missing package there is a
 * broken CI image, not something to paper over) and unless TESTBED_NO_INSTALL=1. Otherwise it says what to run.
 */
export declare function installPlan({ missing, root, aptGet, env }: MachineFacts): InstallPlan;
/** The command a person runs (or the test bed runs as root): one line, ready to paste. */
export declare function aptCommand(packages: readonly string[], root: boolean): string;
/** The machine cannot run the test bed until someone installs packages; `message` says which and how. */
export declare class TestbedNotReadyError extends Error {
    name: string;
}
/**
 * Checks the machine and installs what is missing when `installPlan` allows it; throws TestbedNotReadyError with
 * the command to run when it does not. `force` installs in CI too (for .ci/run, which asks for it explicitly).
 */
export declare function ensureRequirements(say: (line: string) => void, { env, force }?: {
    env?: NodeJS.ProcessEnv;
    force?: boolean;
}): Promise<void>;
