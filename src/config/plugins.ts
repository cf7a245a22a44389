import { describeValue } from './describe-value.js';
import { nearest } from './suggest.js';
import type { PluginCode } from './types.js';

// Kept here rather than imported from schema.ts, which imports this module.
const KNOWN: readonly PluginCode[] = ['iam', 'iam_dsql'];

export type PluginsResult = { ok: true; codes: PluginCode[] } | { ok: false; problem: string };

/**
 * Reads `plugins` in either form (a list, or a comma-separated string where `none` means no plugin),
 * rejecting unknown codes and the iam + iam_dsql combination.
 */
export function parsePlugins(value: unknown): PluginsResult {
  let names: unknown[];
  if (typeof value === 'string') {
    names = value.trim().toLowerCase() === 'none' ? [] : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  } else if (Array.isArray(value)) {
    names = value;
  } else {
    return {
      ok: false,
      problem: `must be a list of plugin codes (${KNOWN.join(', ')}) or a comma-separated string of them, got ${describeValue(value)}`,
    };
  }
  const codes: PluginCode[] = [];
  for (const name of names) {
    if (typeof name !== 'string' || !(KNOWN as readonly string[]).includes(name)) {
      const near = typeof name === 'string' ? nearest(name, KNOWN) : undefined;
      const hint = near === undefined ? '' : ` (did you mean "${near}"?)`;
      return {
        ok: false,
        problem: `has unknown plugin code ${describeValue(name)}${hint}; known codes: ${KNOWN.join(', ')}`,
      };
    }
    if (!codes.includes(name as PluginCode)) codes.push(name as PluginCode);
  }
  if (codes.includes('iam') && codes.includes('iam_dsql')) {
    return {
      ok: false,
      problem: 'cannot combine iam and iam_dsql: use iam for RDS and Aurora, iam_dsql for Aurora DSQL',
    };
  }
  return { ok: true, codes };
}
