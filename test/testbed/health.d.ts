import type { TestbedState } from './state.js';
/**
 * Proves the whole chain works: the verifier answers, and a fresh IAM token logs in to each server
 * over verify-full TLS. Throws, saying which part failed.
 */
export declare function checkHealth(state: TestbedState): Promise<void>;
