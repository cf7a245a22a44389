import type * as z from 'zod';
import type { ConfigIssue } from '../errors.js';
import { sourceAt, type Sources } from './layers.js';
import { keysAt } from './schema-shape.js';
import { nearest } from './suggest.js';

/** A dotted key path to print; a key that is empty or holds odd characters is quoted so it stays visible. */
function printablePath(path: readonly string[]): string {
  return path.map((key) => (/^[\w$-]+$/.test(key) ? key : JSON.stringify(key))).join('.');
}

/**
 * Turns zod's issues into ConfigIssues with the key path, the source of the value and a plain message.
 * The schema's own error functions already word the messages; unknown keys get a suggestion here.
 */
export function schemaIssues(error: z.ZodError, sources: Sources): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(path) ?? [];
      for (const key of issue.keys) {
        const near = nearest(key, known);
        issues.push({
          path: printablePath([...path, key]),
          source: sourceAt(sources, [...path, key]),
          message:
            near === undefined
              ? `is not a known key; known keys here: ${known.join(', ')}`
              : `is not a known key; did you mean "${near}"?`,
        });
      }
    } else {
      issues.push({ path: printablePath(path), source: sourceAt(sources, path), message: issue.message });
    }
  }
  return issues;
}
