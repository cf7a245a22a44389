/**
 * Every error a user can cause is one of these named classes. Messages say what was wrong,
 * where it came from and what to do; none ever carries a token or a password.
 */
export class RdsIamError extends Error {
  override name = 'RdsIamError';
  /** A stable machine-readable code, e.g. `RDSIAM_CONFIG`. */
  readonly code: string = 'RDSIAM_ERROR';
}

/** Where a config value came from: a file path, an env var name, code options, or the default. */
export type ValueOrigin =
  | { kind: 'file'; file: string }
  | { kind: 'env'; variable: string }
  | { kind: 'code' }
  | { kind: 'default' };

/** One problem a `ConfigError` lists: the key, where its value came from, and what is wrong. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `iam_expiration` or `connections.reader.dsn`. */
  path: string;
  /** Where the offending value came from, when known. */
  origin?: ValueOrigin;
  /** What is expected, ending with what was got (secrets redacted). */
  message: string;
}

export function describeOrigin(origin: ValueOrigin): string {
  switch (origin.kind) {
    case 'file':
      return origin.file;
    case 'env':
      return origin.variable;
    case 'code':
      return 'options passed in code';
    case 'default':
      return 'default';
  }
}

export class ConfigError extends RdsIamError {
  override name = 'ConfigError';
  override readonly code = 'RDSIAM_CONFIG';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], headline = 'Invalid rdsiam config') {
    super(
      `${headline}:\n` +
        issues
          .map((i) => `  - ${i.path || '(root)'}${i.origin ? ` (from ${describeOrigin(i.origin)})` : ''}: ${i.message}`)
          .join('\n'),
    );
    this.issues = issues;
  }
}

export class EndpointError extends RdsIamError {
  override name = 'EndpointError';
  override readonly code = 'RDSIAM_ENDPOINT';
}

export class CredentialsError extends RdsIamError {
  override name = 'CredentialsError';
  override readonly code = 'RDSIAM_CREDENTIALS';
  /** The credential source that failed (an `aws_credentials_source` value), e.g. `ini` or `chain`. */
  readonly source: string;
  readonly profile: string | undefined;

  constructor(message: string, details: { source: string; profile?: string; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.source = details.source;
    this.profile = details.profile;
  }
}

/** A database refused a freshly signed token, or TLS could not be verified before sending one. */
export class AuthError extends RdsIamError {
  override name = 'AuthError';
  override readonly code = 'RDSIAM_AUTH';
}

/** A new connection kept failing in a transient server state (restart, failover, resume) until the retry budget ran out. */
export class UnavailableError extends RdsIamError {
  override name = 'UnavailableError';
  override readonly code = 'RDSIAM_UNAVAILABLE';
}

/** RDS Proxy kept throttling new connections until the retry budget ran out. */
export class ThrottledError extends RdsIamError {
  override name = 'ThrottledError';
  override readonly code = 'RDSIAM_THROTTLED';
}

/**
 * An optional package (a driver, an AWS SDK client) is not installed; the message names the `npm install` line. Its
 * name stays `RdsIamError`, as it was before the class existed: applications may match on it.
 */
export class MissingPackageError extends RdsIamError {
  /** The npm package to install. */
  readonly packageName: string;

  constructor(packageName: string, message: string) {
    super(message);
    this.packageName = packageName;
  }
}
