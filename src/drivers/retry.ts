import { AuthError } from '../errors.js';
import { scrub } from '../secret.js';
import { publish, publishRetry, targetFields } from '../events.js';
import type { Engine } from '../config/dsn.js';
import type { IssuedToken, TokenProvider } from '../token/token-provider.js';
import type { TrackedProvider } from './tracked-provider.js';
import { isThrottled } from './transient.js';

/** Which token a failed login attempt sent: drivers tag their errors so the retry knows. */
const tokenOfError = new WeakMap<object, IssuedToken>();

export function tagError(err: unknown, token: IssuedToken | undefined): void {
  if (token && typeof err === 'object' && err !== null) tokenOfError.set(err, token);
}

interface DriverError {
  code?: unknown;
  sqlState?: unknown;
  message?: unknown;
}

// How pg and mysql2 report a refusal of the credentials: by code (SQLSTATE 28000 / 28P01, mysql2's
// ER_ACCESS_DENIED_ERROR), or by message, which is all a wrapper such as Sequelize's keeps. MySQL's message is anchored
// on "(using password": its 1044 "Access denied for user … to database …" refuses a database, not the token.
const LOGIN_REFUSED_CODES: Readonly<Record<Engine, readonly unknown[]>> = {
  postgres: ['28000', '28P01'],
  mysql: ['ER_ACCESS_DENIED_ERROR'],
};
export const LOGIN_REFUSED_MESSAGE =
  /PAM authentication failed for user|password authentication failed for user|Access denied for user '[^']*'(?:@'[^']*')? \(using password/;

/** A refusal of the credentials themselves, as opposed to a network, TLS or server fault. */
export function isLoginError(engine: Engine, err: unknown): boolean {
  // RDS Proxy's throttling may come with an authentication SQLSTATE: the token was not refused, only too many at once.
  if (typeof err !== 'object' || err === null || isThrottled(err)) return false;
  const { code, sqlState, message } = err as DriverError;
  return (
    LOGIN_REFUSED_CODES[engine].includes(code) ||
    (engine === 'mysql' && sqlState === '28000') ||
    (typeof message === 'string' && LOGIN_REFUSED_MESSAGE.test(message))
  );
}

/**
 * Stops serving a cached token the server just refused, so the next connection a library opens
 * (its own retry, or the next query) signs a fresh one. For pools rdsiam does not build, where
 * `withTokenRetry` cannot wrap the connect.
 */
export function dropIfRefused(provider: TokenProvider, token: IssuedToken, engine: Engine, err: unknown): void {
  // A failed writer-region lookup (global endpoints) is reported by the next connect's own lookup.
  if (isLoginError(engine, err)) provider.refused(token).catch(() => {});
}

/** Driver errors pass through as they are, but never with a token in their text. */
function scrubError(err: unknown, secrets: readonly string[] = []): unknown {
  if (err instanceof Error) {
    err.message = scrub(err.message, secrets);
    if (err.stack) err.stack = scrub(err.stack, secrets);
  }
  return err;
}

function refusedError(token: IssuedToken, engine: Engine, cause: unknown): AuthError {
  const t = token.target;
  publish('rdsiam:connect:refused', () => ({ ...targetFields(t), fingerprint: token.fingerprint }));
  const userSetup =
    engine === 'postgres'
      ? `the PostgreSQL user "${t.user}" is not granted rds_iam (GRANT rds_iam TO "${t.user}")`
      : `the MySQL user "${t.user}" is not created IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'`;
  const error = new AuthError(
    `The database at ${t.host}:${t.port} refused a freshly signed IAM token for user "${t.user}" (region ${t.region}). Usual causes:\n` +
      `  - IAM database authentication is not enabled on the instance or cluster;\n` +
      `  - the AWS identity has no rds-db:connect permission on arn:aws:rds-db:${t.region}:<account>:dbuser:<resource-id>/${t.user};\n` +
      `  - ${userSetup};\n` +
      `  - the token names the wrong region or endpoint (check iam_host, iam_region and iam_default_port with \`rdsiam check\`).\n` +
      'Run `npx rdsiam doctor` to find which.',
    { cause: scrubError(cause) },
  );
  return error;
}

/**
 * Runs one login attempt; when the server refuses a token that came from the cache (or, for a global
 * database endpoint, one whose writer has moved region since), drops that token, signs a fresh one and
 * tries exactly once more. A refused fresh token is an AuthError.
 */
export async function withTokenRetry<T>(
  provider: TrackedProvider | undefined,
  engine: Engine,
  attempt: () => Promise<T>,
): Promise<T> {
  try {
    return await attempt();
  } catch (thrown) {
    const err = provider ? await provider.explain(thrown) : thrown;
    const used = tokenOfError.get(err as object);
    if (!provider || !used || !isLoginError(engine, err)) throw scrubError(err);
    // A cached token may have expired or been revoked; a global endpoint's writer may have moved region.
    if (!(await provider.refused(used))) throw refusedError(used, engine, err);
    publishRetry({ ...targetFields(used.target), fingerprint: used.fingerprint });
    try {
      return await attempt();
    } catch (thrownAgain) {
      const again = await provider.explain(thrownAgain);
      const second = tokenOfError.get(again as object);
      if (second && isLoginError(engine, again)) throw refusedError(second, engine, again);
      throw scrubError(again);
    }
  }
}
