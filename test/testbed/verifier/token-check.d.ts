import type { KeyPolicy, ServiceRule } from './config.js';
/** Why a login was refused; `ok` when it was not. Stable strings: tests assert on them. */
export type Verdict = 'ok' | 'malformed' | 'host' | 'action' | 'user' | 'algorithm' | 'signed-headers' | 'expires-range' | 'expired' | 'future' | 'scope' | 'region' | 'service' | 'unknown-key' | 'session-token' | 'user-not-allowed' | 'too-old' | 'signature'
/** The key is set to make the verifier hang up without answering (a verifier dying mid-login). */
 | 'hang-up';
export interface CheckResult {
    verdict: Verdict;
    detail: string;
    accessKeyId?: string;
    /** The signature as the token states it (the caller fingerprints it; it is never logged whole). */
    signature?: string;
}
/**
 * Decides, as RDS (or DSQL) would, whether `token` lets `user` log in to the server behind `rule`.
 * The signature is recomputed with @smithy/signature-v4 over exactly the parameters the token carries.
 */
export declare function checkToken(input: {
    token: string;
    user: string;
    rule: ServiceRule;
    findKey: (accessKeyId: string) => KeyPolicy | undefined;
    now: Date;
}): Promise<CheckResult>;
