import type { Verdict } from './token-check.js';
/** One login attempt as the verifier saw it. Carries a signature fingerprint, never the token. */
export interface LoginRecord {
    /** Increasing sequence number, so tests can ask for "records after the ones I had". */
    seq: number;
    time: string;
    service: string;
    user: string;
    accessKeyId: string | null;
    verdict: Verdict;
    detail: string;
    signatureFingerprint: string | null;
}
export interface LoginQuery {
    accessKeyId?: string;
    service?: string;
    user?: string;
    afterSeq?: number;
}
export declare class LoginLog {
    #private;
    add(record: Omit<LoginRecord, 'seq'>): LoginRecord;
    query(q: LoginQuery): LoginRecord[];
}
