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

/** Bounded, so a load test of many thousands of logins cannot grow the daemon without limit. */
const CAPACITY = 100_000;

export class LoginLog {
  readonly #records: LoginRecord[] = [];
  #seq = 0;

  add(record: Omit<LoginRecord, 'seq'>): LoginRecord {
    const full = { seq: ++this.#seq, ...record };
    this.#records.push(full);
    if (this.#records.length > CAPACITY) this.#records.splice(0, this.#records.length - CAPACITY);
    return full;
  }

  query(q: LoginQuery): LoginRecord[] {
    return this.#records.filter(
      (r) =>
        (q.accessKeyId === undefined || r.accessKeyId === q.accessKeyId) &&
        (q.service === undefined || r.service === q.service) &&
        (q.user === undefined || r.user === q.user) &&
        (q.afterSeq === undefined || r.seq > q.afterSeq),
    );
  }
}
