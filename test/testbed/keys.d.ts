import type { TestCredentials } from './state.js';
/**
 * Fresh random test credentials shaped like AWS ones: `AKIA…` long-term keys, or `ASIA…` keys with a
 * session token of realistic length (real ones make tokens of ~1000 bytes, past pam_exec's limit).
 */
export declare function randomCredentials(kind?: 'long-term' | 'temporary'): TestCredentials;
