import { createHash } from 'node:crypto';
import { inspect } from 'node:util';

const MASK = '***';

/**
 * A value that must never be printed: a token, a DSN password, a secret key.
 * `String()`, `JSON.stringify` and `util.inspect` all show `***`; only `reveal()` gives the value.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }
}

/** A short, non-reversible name for a token, safe to log: the first 12 hex digits of its SHA-256. */
export function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

const SIGNATURE = /X-Amz-(Signature|Security-Token|Credential)=[^&\s"']+/gi;

/**
 * Removes anything token-shaped from text that may come from a driver or the SDK, and any
 * exact secret values given, so errors we pass through never carry one.
 */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(SIGNATURE, (_m, name: string) => `X-Amz-${name}=${MASK}`);
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(MASK);
  return out;
}
