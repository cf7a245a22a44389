import type { KeyPolicy } from './config.js';
/** The keys the verifier accepts: the start-up ones plus any a test registers at runtime. */
export declare class KeyStore {
    #private;
    constructor(initial: readonly KeyPolicy[]);
    /** Adds a key or replaces its policy. */
    put(key: KeyPolicy): void;
    revoke(accessKeyId: string): boolean;
    find(accessKeyId: string): KeyPolicy | undefined;
}
/** Validates a key posted to the control API; returns a message for the first problem found. */
export declare function keyProblem(value: unknown): string | undefined;
