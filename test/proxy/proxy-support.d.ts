/** A real `rdsiam proxy` process. */
export interface ProxyProcess {
    pid: number;
    /** The port of the first ready line (0 for a Unix socket). */
    port: number;
    /** Every ready line. */
    ready: string[];
    stderr(): string;
    /** The JSON event lines written so far (with --json). */
    events(): Record<string, unknown>[];
    /** SIGTERM, then its exit code. */
    stop(): Promise<number>;
}
/** Starts `rdsiam proxy` with `argv` and only `env` (plus PATH), and waits for `readyLines` ready lines. */
export declare function startProxy(argv: string[], env: Record<string, string>, readyLines?: number): Promise<ProxyProcess>;
