import { type TestbedState, type TestCredentials } from '../testbed/state.js';
import { VerifierClient } from '../testbed/verifier/client.js';
import type { KeyPolicy } from '../testbed/verifier/config.js';
export { mysqlOptions, pgOptions } from '../testbed/connect-options.js';
export type { LoginRecord } from '../testbed/verifier/login-log.js';
export type { TestCredentials } from '../testbed/state.js';
/** What an integration test gets: the connection facts, the CA, and the verifier's control client. */
export interface Testbed extends Omit<TestbedState, 'verifier'> {
    stateFile: string;
    /** The test CA certificate (PEM text), for `ssl: { ca }`. */
    caPem: string;
    verifier: VerifierClient;
    /** The verifier daemon's log: one JSON line per login (never a token). */
    verifierLog: string;
    /** The socket pam_rdsiam talks to, for tests of the verifier's own protocol. */
    pamSocket: string;
    /**
     * Registers fresh random credentials with the verifier, with their own policy, so a test can count
     * its own logins and tighten limits without disturbing tests running in parallel.
     */
    newKey(options?: {
        kind?: 'long-term' | 'temporary';
    } & Omit<KeyPolicy, keyof TestCredentials>): Promise<TestCredentials>;
}
/**
 * The running test bed, or undefined after a loud `t.skip` when it is deliberately off
 * (`TESTBED=skip`, set by `npm test` when not root). In CI a missing test bed throws:
 * integration tests must never pass by skipping there.
 */
export declare function requireTestbed(t: {
    skip(message?: string): void;
}): Promise<Testbed | undefined>;
/**
 * The running test bed, or undefined, without skipping: for a `before` hook that sets up what its tests share. Each
 * of those tests still begins with `requireTestbed(t)`, the one way a test skips.
 */
export declare function findTestbed(): Promise<Testbed | undefined>;
