import type { Engine } from '../config/dsn.js';

/** Why a new connection failed when trying again can succeed: the server is not there yet, or it sheds load. */
export interface TransientState {
  kind: 'unavailable' | 'throttled';
  /** What happened, in words, for events and error messages (never a token). */
  reason: string;
}

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
}

// RDS Proxy's throttling texts (its troubleshooting guide). PostgreSQL clients get the first two; the SQLSTATE is not
// documented, so the text decides. MySQL clients get ERROR 1040 (HY000) "... rate limit exceeded".
const THROTTLED = [
  /IAM authentication failed because of too many competing requests/i,
  /Rate of connection to proxy exceeded/i,
  /IAM authentication rate limit exceeded/i,
  /Connections rate limit exceeded/i,
];

/** RDS Proxy refused a login because too many arrive at once: not a refusal of the token itself. */
export function isThrottled(err: unknown): boolean {
  const { message } = (err ?? {}) as DriverError;
  return typeof message === 'string' && THROTTLED.some((text) => text.test(message));
}

// Socket failures while connecting: nothing listens yet (restart, failover), or the server hung up mid-handshake.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now ("starting up", "shutting down", "in recovery").
const PG_SERVER_STATES = new Set(['57P01', '57P02', '57P03']);

// What pg says when the server closes or stalls the socket before the login completes (a client's own timeout, and
// a pool's for the client it was opening; not the pool's "timeout exceeded when trying to connect", a queue wait).
const PG_CONNECT_FAILURES = [
  /^Connection terminated unexpectedly$/,
  /^timeout expired$/,
  /^Connection terminated due to connection timeout$/,
];

// mysql2: ER_SERVER_SHUTDOWN (1053), and the socket closing during the handshake.
const MYSQL_CODES = new Set(['ER_SERVER_SHUTDOWN', 'PROTOCOL_CONNECTION_LOST']);

/**
 * Whether a failed NEW connection may succeed if tried again. Only ever asked about a connect: a query in flight
 * that fails for the same reasons is the application's to retry, as only it knows whether that is safe.
 */
export function transientState(engine: Engine, err: unknown): TransientState | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, message } = err as DriverError;
  const text = typeof message === 'string' ? message : String(code);
  if (isThrottled(err)) return { kind: 'throttled', reason: text };
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return { kind: 'unavailable', reason: text };
  if (engine === 'postgres') {
    if (typeof code === 'string' && PG_SERVER_STATES.has(code)) return { kind: 'unavailable', reason: text };
    if (PG_CONNECT_FAILURES.some((failure) => failure.test(text))) return { kind: 'unavailable', reason: text };
    return undefined;
  }
  if (typeof code === 'string' && MYSQL_CODES.has(code)) return { kind: 'unavailable', reason: text };
  return undefined;
}
