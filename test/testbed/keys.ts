import { randomBytes } from 'node:crypto';
import type { TestCredentials } from './state.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomId(prefix: 'AKIA' | 'ASIA'): string {
  const bytes = randomBytes(16);
  return prefix + Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
}

/**
 * Fresh random test credentials shaped like AWS ones: `AKIA…` long-term keys, or `ASIA…` keys with a
 * session token of realistic length (real ones make tokens of ~1000 bytes, past pam_exec's limit).
 */
export function randomCredentials(kind: 'long-term' | 'temporary' = 'long-term'): TestCredentials {
  const secretAccessKey = randomBytes(30).toString('base64');
  if (kind === 'long-term') return { accessKeyId: randomId('AKIA'), secretAccessKey };
  return { accessKeyId: randomId('ASIA'), secretAccessKey, sessionToken: randomBytes(480).toString('base64') };
}
