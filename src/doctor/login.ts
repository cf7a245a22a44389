// The login itself: one connect with a freshly signed token, and SELECT 1.
import { timedConnect } from '../cli/timed-connect.js';
import type { ConnectOptions } from '../connect.js';
import type { Engine } from '../config/dsn.js';
import { AuthError } from '../errors.js';
import { isLoginError } from '../drivers/retry.js';
import { redactFailure } from '../secret.js';
import { finding, type Finding } from './findings.js';

const UNREACHABLE = /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|timeout/i;

/** Logs in as the config says; a refused token is `login-refused`, which the conclusion explains. */
export async function tryLogin(options: ConnectOptions, engine: Engine, where: string): Promise<Finding[]> {
  try {
    const timings = await timedConnect(options);
    return [
      finding(
        'login-ok',
        'info',
        `Logged in to ${where} with an IAM token in ${timings.totalMs} ms; SELECT 1 answered.`,
      ),
    ];
  } catch (err) {
    // A user the server does not take tokens for may be refused before any token is sent (MySQL asks for its own
    // password plugin): a refusal all the same.
    if (err instanceof AuthError || isLoginError(engine, err)) {
      return [finding('login-refused', 'error', `The database at ${where} refused the IAM login.`)];
    }
    const reason = redactFailure(err);
    const code = (err as { code?: unknown }).code;
    if (UNREACHABLE.test(`${typeof code === 'string' ? code : ''} ${reason}`)) {
      return [
        finding('database-unreachable', 'error', `Could not reach the database at ${where}: ${reason}.`, {
          fix: 'Check that the database is reachable from here (VPC, security group, tunnel), or raise connect_timeout_ms.',
        }),
      ];
    }
    return [finding('login-failed', 'error', `The login to ${where} failed, not for its token: ${reason}.`)];
  }
}
