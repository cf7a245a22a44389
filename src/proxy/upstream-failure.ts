import type { Duplex } from 'node:stream';
import { AuthError } from '../errors.js';
import { scrub } from '../secret.js';

// After a refusal, whose message lists the usual causes; after anything else, where the sign-in broke off.
const REFUSED_HINT = 'Run `npx rdsiam doctor` to find which.';
const FAILED_HINT = 'Run `npx rdsiam doctor` to see which step fails.';

/** Why the proxy could not sign in upstream, in the terms a client's error packet carries; never a token. */
export interface UpstreamFailure {
  /** The database refused the IAM token: the client gets the protocol's own "access denied". */
  refused: boolean;
  /** The database's own error code (a SQLSTATE, a MySQL errno) when it answered with one other than a refusal. */
  serverCode: string | number | undefined;
  message: string;
  hint: string;
}

export function upstreamFailure(err: unknown, endpoint: { host: string; port: number }): UpstreamFailure {
  const text = scrub(err instanceof Error ? err.message : String(err));
  if (err instanceof AuthError) return { refused: true, serverCode: undefined, message: text, hint: REFUSED_HINT };
  const { code, errno } = (err ?? {}) as { code?: unknown; errno?: unknown };
  // A server's answer (no such database, too many connections) reaches the client as the server gave it; a socket
  // error's errno (negative, from the system) is not one.
  const serverCode =
    typeof errno === 'number' && errno > 0
      ? errno
      : typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
        ? code
        : undefined;
  if (serverCode !== undefined) return { refused: false, serverCode, message: text, hint: FAILED_HINT };
  const name = err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
  return {
    refused: false,
    serverCode: undefined,
    message: `rdsiam proxy could not sign in to ${endpoint.host}:${endpoint.port}: ${name}${text}`,
    hint: FAILED_HINT,
  };
}

/** What a client is told when the database went mid-session without a word of its own (a crash, a network fault). */
export function lostUpstream(endpoint: { host: string; port: number }): string {
  return (
    `rdsiam proxy lost its connection to the database at ${endpoint.host}:${endpoint.port} (a restart, failover or ` +
    'network fault). Connect again: new connections are retried while the database comes back.'
  );
}

/**
 * Calls `tell` once, when the database's side ends or closes, and before the relay closes the client, provided it is
 * called before `relay()` (listeners run in the order they were added): the moment for last words to the client.
 */
export function onUpstreamGone(upstream: Duplex, tell: () => void): void {
  let told = false;
  const once = () => {
    if (told) return;
    told = true;
    tell();
  };
  upstream.once('end', once);
  upstream.once('close', once);
}
