import { redactUrlText } from '../secret.js';

// The wording shared by every config message: what was got, and the nearest known name.

const MAX_SHOWN = 80;

/**
 * A short, safe rendering of a value a user gave, for the `got ...` end of a message. Strings that
 * look like URLs with credentials are redacted, long strings are cut, objects are only named.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const safe = redactUrlText(value);
    return JSON.stringify(safe.length > MAX_SHOWN ? `${safe.slice(0, MAX_SHOWN - 3)}...` : safe);
  }
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** Edit distance with adjacent transpositions counted as one edit, so `iam_regoin` is one step from `iam_region`. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const prev = d[i - 1]!;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * `; did you mean "x"?` when a candidate is close enough to `word` to be a plausible typo, else ''.
 * Env variable names are suggested unquoted.
 */
export function didYouMean(word: string, candidates: Iterable<string>, quote = '"'): string {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= limit ? `; did you mean ${quote}${best}${quote}?` : '';
}

/** The end of a message about an unknown name: `; did you mean "x"?` when one is close, else `; known: a, b`. */
export function knownNames(word: string, candidates: readonly string[], label = 'known'): string {
  return didYouMean(word, candidates) || `; ${label}: ${candidates.join(', ')}`;
}

/** A dotted key path to print; a key that is empty or holds odd characters is quoted so it stays visible. */
export function printablePath(path: readonly (string | number)[]): string {
  return path.map((key) => (/^[\w$-]+$/.test(String(key)) ? key : JSON.stringify(String(key)))).join('.');
}
