import type { KeyPolicy } from './config.js';
import type { LoginQuery, LoginRecord } from './login-log.js';
/** A typed client for the verifier's control API (HTTP over its root-only unix socket). */
export declare class VerifierClient {
    #private;
    constructor(controlSocket: string);
    health(): Promise<{
        pid: number;
        pamListening: boolean;
    }>;
    /** Registers a key (or replaces its policy) so a test can isolate itself from parallel tests. */
    addKey(key: KeyPolicy): Promise<void>;
    revokeKey(accessKeyId: string): Promise<void>;
    /** Accepted and refused logins, oldest first, filtered as asked. */
    logins(query?: LoginQuery): Promise<LoginRecord[]>;
    /**
     * Takes the verifier's PAM socket away: every login on every server fails until `start()`.
     * This affects test files running in parallel; prefer a key with `hangUp: true` where that will do.
     */
    stop(): Promise<void>;
    start(): Promise<void>;
}
