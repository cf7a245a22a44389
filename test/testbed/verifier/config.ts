import type { TestCredentials } from '../state.js';

/** How one PAM service (one server) decides which tokens are its own. */
export interface ServiceRule {
  /** `rds`: rds-db tokens with Action=connect and DBUser. `dsql`: DbConnect/DbConnectAdmin tokens. */
  kind: 'rds' | 'dsql';
  region: string;
  /** Accepted `host:port` (rds) or `host` (dsql, whose tokens carry no port) values, lower case. */
  hosts: string[];
}

/** A key the verifier accepts, with its per-key policy (tests run in parallel, so policy is per key). */
export interface KeyPolicy extends TestCredentials {
  /** Refuse tokens whose X-Amz-Date is older than this, whatever X-Amz-Expires says. */
  maxTokenAgeSeconds?: number;
  /** When set, the key may only log in as these database users. */
  users?: string[];
  /** Simulate a verifier that dies mid-login: hang up without an answer for this key's logins. */
  hangUp?: boolean;
  /** The region this key's logins must be signed for, instead of the server's (a writer that moved region). */
  region?: string;
  /**
   * Judges this key's tokens as if the time were now plus this (ms): a test whose signer runs on a simulated clock
   * (hours ahead) is checked against that clock, and other tests against the real one.
   */
  clockOffsetMs?: number;
}

export interface VerifierConfig {
  pamSocket: string;
  controlSocket: string;
  services: Record<string, ServiceRule>;
  keys: KeyPolicy[];
}
