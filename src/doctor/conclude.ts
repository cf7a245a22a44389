// From findings to a verdict: the one cause they prove, or a ranked list.
import type { Conclusion, DoctorReport, Finding, FindingCode, Severity } from './findings.js';

// The causes of a refused login, most likely first when more than one is found: a cause that stops every token
// outranks one about this database, and the database user is what is left when everything AWS-side is right.
const CAUSES: readonly FindingCode[] = [
  'endpoint-invalid',
  'credentials-failed',
  'clock-skew',
  'region-mismatch',
  'database-not-found',
  'iam-auth-disabled',
  'engine-mismatch',
  'port-mismatch',
  'permission-denied',
  'tls-untrusted',
  'database-unreachable',
  'login-failed',
  'db-user-not-iam',
];
const SEVERITY: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function rank(f: Finding): number {
  const cause = CAUSES.indexOf(f.code);
  return SEVERITY[f.severity] * 100 + (cause < 0 ? 99 : cause);
}

/**
 * The report: error findings first, most likely cause first, then warnings, then what was found. The conclusion is
 * the cause when exactly one was proven. A refused login that no check explains names what could not be checked.
 */
export function conclude(found: readonly Finding[]): DoctorReport {
  const findings = found.map((f) => ({ ...f })).sort((a, b) => rank(a) - rank(b));
  const causes = findings.filter((f) => f.severity === 'error' && CAUSES.includes(f.code));
  const refused = findings.find((f) => f.code === 'login-refused');
  if (refused !== undefined && causes.length === 0) {
    const unchecked = [...new Set(findings.flatMap((f) => f.unchecked ?? []))];
    refused.unchecked = unchecked;
    refused.message +=
      unchecked.length === 0
        ? ' No check found why.'
        : ` The checks that could not run leave these causes open: ${unchecked.join(', ')}.`;
  }
  const one = causes.length === 1 ? causes[0] : undefined;
  const conclusion: Conclusion | null =
    one === undefined ? null : { code: one.code, message: one.message, fix: one.fix ?? null };
  return { ok: !findings.some((f) => f.severity === 'error'), conclusion, findings };
}
