import { ConfigError } from '../errors.js';
import { Secret, scrub } from '../secret.js';
import type { Engine, ParsedDsn } from './types.js';

const ENGINES: Record<string, Engine> = { postgres: 'postgres', postgresql: 'postgres', mysql: 'mysql' };
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const MASK = '***';

export type DsnResult = { ok: true; dsn: ParsedDsn } | { ok: false; problem: string };

/**
 * Masks whatever could be credentials in text that may be a DSN, even one too malformed to parse:
 * everything between `://` and the last `@`, and any `password=` query value.
 */
export function redactDsnText(text: string): string {
  let out = scrub(text);
  const scheme = out.indexOf('://');
  // Without a scheme (`user:pass@host`), credentials still sit before the last `@`.
  const start = scheme >= 0 ? scheme + 3 : 0;
  const at = out.lastIndexOf('@');
  if (at > start) {
    const userEnd = out.slice(start, at).indexOf(':');
    // Keep the user name when it is cleanly delimited; it helps and is not secret.
    if (scheme >= 0 || userEnd >= 0) {
      const keep = userEnd >= 0 ? start + userEnd + 1 : start;
      out = `${out.slice(0, keep)}${MASK}${out.slice(at)}`;
    }
  }
  return out.replace(/([?&]password=)[^&#]*/gi, `$1${MASK}`);
}

/** Parses a `postgres://`, `postgresql://` or `mysql://` DSN without throwing. */
export function tryParseDsn(text: string): DsnResult {
  const fail = (problem: string): DsnResult => ({ ok: false, problem });
  // Failures echo the text-level redaction: a malformed DSN (`postgres:///:pw@host`) can put its password in the path.
  const got = `got ${JSON.stringify(redactDsnText(text))}`;
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return fail(`must be a URL like postgres://user@host:5432/db or mysql://user@host:3306/db, ${got}`);
  const engine = ENGINES[scheme];
  if (engine === undefined) return fail(`has scheme "${scheme}://"; use postgres://, postgresql:// or mysql://`);

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(
      `is not a valid URL (percent-encode @ : / ? # in the user name or password, and keep the port within 1-65535), ${got}`,
    );
  }
  const redactedUrl = new URL(url.href);
  if (redactedUrl.password !== '') redactedUrl.password = MASK;
  for (const key of [...redactedUrl.searchParams.keys()]) {
    if (key.toLowerCase() === 'password') redactedUrl.searchParams.set(key, MASK);
  }
  // A token pasted into a query parameter is masked too: `redacted` is what messages and `rdsiam check` print.
  const redacted = scrub(redactedUrl.href);
  if (url.hash !== '') return fail(`has a # fragment; if the password contains #, write it as %23 (${got})`);

  let user: string, password: string, host: string, database: string;
  try {
    user = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
    host = decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1'));
    database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  } catch {
    return fail(`has a malformed percent-encoding (a % must be followed by two hex digits; write a literal % as %25)`);
  }
  if (user === '') return fail(`must include a user name, as in ${scheme}://USER@host/db (${got})`);
  if (host === '') return fail(`must include a host, as in ${scheme}://user@HOST/db (${got})`);
  const port = url.port === '' ? undefined : Number(url.port);
  if (port === 0) return fail(`has port 0; use a port from 1 to 65535 (${got})`);

  const params: Record<string, string> = {};
  let queryPassword: string | undefined;
  for (const [key, value] of url.searchParams) {
    // A password given as a query parameter is still a password: keep it out of `params`.
    if (key.toLowerCase() === 'password') queryPassword = value;
    else params[key] = value;
  }
  const secret = password || queryPassword;

  const dsn: ParsedDsn = {
    engine,
    protocol: `${scheme}:`,
    user,
    host,
    params,
    redacted,
  };
  if (secret) dsn.password = new Secret(secret);
  if (port !== undefined) dsn.port = port;
  if (database) dsn.database = database;
  return { ok: true, dsn };
}

/**
 * Parses a DSN: percent-decoding done, the password kept as a Secret, `redacted` safe to print.
 * Throws a ConfigError (key path `dsn`) that never contains the password.
 */
export function parseDsn(text: string): ParsedDsn {
  const result = tryParseDsn(text);
  if (!result.ok) throw new ConfigError([{ path: 'dsn', message: result.problem }], 'Invalid DSN');
  return result.dsn;
}
