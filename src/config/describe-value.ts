import { redactDsnText } from './dsn.js';

const MAX_SHOWN = 80;

/**
 * A short, safe rendering of a value a user gave, for the `got ...` end of a message. Strings that
 * look like URLs with credentials are redacted, long strings are cut, objects are only named.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const safe = redactDsnText(value);
    return JSON.stringify(safe.length > MAX_SHOWN ? `${safe.slice(0, MAX_SHOWN - 3)}...` : safe);
  }
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}
