/** Reads a pid file; undefined when absent or garbled. */
export declare function readPid(pidFile: string): Promise<number | undefined>;
/**
 * Whether `pid` is alive AND its command line contains `marker`: a stale pid file may name a pid the
 * system has since given to an unrelated process, which we must never signal.
 */
export declare function isOurs(pid: number, marker: string): Promise<boolean>;
/** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves once the process is gone. */
export declare function terminate(pid: number, graceMs?: number): Promise<void>;
/**
 * Polls `probe` until it resolves truthy; fails with `what` after `timeoutMs`, or at once when
 * `gaveUp` returns a reason (e.g. the process we wait for has exited).
 */
export declare function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs?: number, gaveUp?: () => string | undefined): Promise<void>;
