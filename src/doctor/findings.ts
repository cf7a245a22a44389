// What `rdsiam doctor` reports: one finding per fact it established, and the shape `--json` prints.

export type Severity = 'error' | 'warning' | 'info';

/** Every finding code; docs/doctor.md explains each with its fix. */
export type FindingCode =
  // Causes of a refused login, each proven by a check (errors).
  | 'endpoint-invalid'
  | 'credentials-failed'
  | 'clock-skew'
  | 'database-not-found'
  | 'iam-auth-disabled'
  | 'region-mismatch'
  | 'port-mismatch'
  | 'engine-mismatch'
  | 'permission-denied'
  | 'tls-untrusted'
  | 'database-unreachable'
  | 'login-failed'
  | 'db-user-not-iam'
  // Evidence: what was found, or what could not be checked and why.
  | 'identity'
  | 'clock-ok'
  | 'database'
  | 'permission-allowed'
  | 'not-simulated'
  | 'lookup-denied'
  | 'lookup-failed'
  | 'package-missing'
  | 'tls-verified'
  | 'login-ok'
  | 'login-refused';

/** What IAM decided for one action on one resource, as SimulatePrincipalPolicy reports it. */
export type Decision = 'allowed' | 'implicitDeny' | 'explicitDeny';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  fix?: string;
  /** The ARN a permission finding is about. */
  resource?: string;
  decision?: Decision;
  /** The IAM permission a denied lookup needed. */
  permission?: string;
  /** The npm package a `package-missing` finding is about. */
  package?: string;
  /** The policy statements the simulation matched: `<policy id> (<type>)`. */
  matchedStatements?: string[];
  /** The causes this finding leaves unchecked (a lookup that could not run). */
  unchecked?: FindingCode[];
  /** The statements to run in the database, for `db-user-not-iam`. */
  sql?: string[];
}

export interface Conclusion {
  code: FindingCode;
  message: string;
  fix: string | null;
}

/** What `rdsiam doctor --json` prints. */
export interface DoctorReport {
  ok: boolean;
  /** The one proven cause, or null when only a ranked list (the error findings, most likely first) can be given. */
  conclusion: Conclusion | null;
  findings: Finding[];
}

export function finding(
  code: FindingCode,
  severity: Severity,
  message: string,
  extra: Omit<Finding, 'code' | 'severity' | 'message'> = {},
): Finding {
  return { code, severity, message, ...extra };
}
