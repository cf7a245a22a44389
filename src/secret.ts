import { createHash } from 'node:crypto';
import { inspect } from 'node:util';

// Everything that hides a secret lives here: every error and every printed value goes through one of these.

/** What a hidden value prints as. */
export const MASK = '***';

/**
 * A value that must never be printed: a token, a DSN password, a secret key.
 * `String()`, `JSON.stringify` and `util.inspect` all show `***`; only `reveal()` gives the value.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself: call it only where the value goes on the wire. */
  reveal(): string {
    return this.#value;
  }

  /** `***`, never the value. */
  toString(): string {
    return MASK;
  }

  /** `***`, never the value. */
  toJSON(): string {
    return MASK;
  }

  /** `Secret(***)` in `util.inspect` and `console.log`. */
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

/**
 * `scrub`, plus whatever could be credentials in text that may be a URL, even one too malformed to parse:
 * everything between `://` and the last `@`, and any `password=` query value.
 */
export function redactUrlText(text: string): string {
  let out = scrub(text);
  const scheme = out.indexOf('://');
  // Without a scheme (`user:pass@host`), credentials still sit before the last `@`.
  const start = scheme >= 0 ? scheme + 3 : 0;
  const at = out.lastIndexOf('@');
  if (at > start) {
    const userEnd = out.slice(start, at).indexOf(':');
    // Keep the user name when it is cleanly delimited; it helps and is not secret.
    if (scheme >= 0 || userEnd >= 0) {
      const keep = userEnd >= 0 ? start + userEnd + 1 : start;
      out = `${out.slice(0, keep)}${MASK}${out.slice(at)}`;
    }
  }
  return out.replace(/([?&]password=)[^&#]*/gi, `$1${MASK}`);
}

// Secret access keys and session tokens are long mixed-case alphanumeric runs; no reason text needs one.
const KEY_LIKE = /[A-Za-z0-9/+=]{30,}/g;
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g;

/** `scrub`, plus access key ids and anything shaped like a secret key or session token (credential tools' output). */
function redactCredentialText(text: string): string {
  return scrub(text)
    .replace(ACCESS_KEY_ID, MASK)
    .replace(KEY_LIKE, (run) => (/\d/.test(run) && /[A-Z]/.test(run) && /[a-z]/.test(run) ? MASK : run));
}

/** The first lines of a failure from a credential source or an AWS API, with anything shaped like a key masked. */
export function redactFailure(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return redactCredentialText(text.split('\n').slice(0, 3).join(' ').trim().slice(0, 500)).replace(/\.$/, '');
}

/** An access key id with its middle hidden: enough to tell keys apart, not to quote one. */
export function maskKeyId(id: string): string {
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}****${id.slice(-4)}`;
}
