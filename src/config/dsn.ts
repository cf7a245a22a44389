import { MASK, Secret, redactUrlText, scrub } from '../secret.js';
import type { SslMode } from './keys.js';

/** The database engine a DSN speaks: postgres (PostgreSQL, Aurora PostgreSQL, DSQL) or mysql (MySQL, MariaDB, Aurora MySQL). */
export type Engine = 'postgres' | 'mysql';

/** The port each engine listens on when a DSN names none. */
export const DEFAULT_PORT: Record<Engine, number> = { postgres: 5432, mysql: 3306 };

/** A DSN after parsing: percent-decoding done, the password kept as a Secret. */
export interface ParsedDsn {
  engine: Engine;
  /** `postgres:`, `postgresql:` or `mysql:` as written. */
  protocol: string;
  user: string;
  password?: Secret;
  host: string;
  port?: number;
  database?: string;
  /** Query parameters other than the TLS ones mapped onto `ssl`. */
  params: Record<string, string>;
  /** The DSN with its password shown as `***`: safe to print. */
  redacted: string;
}

const ENGINES: Record<string, Engine> = { postgres: 'postgres', postgresql: 'postgres', mysql: 'mysql' };
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

type DsnResult = { ok: true; value: ParsedDsn } | { ok: false; problem: string };

/**
 * Parses a `postgres://`, `postgresql://` or `mysql://` DSN: percent-decoding done, the password kept as a
 * Secret, `redacted` safe to print. Never throws; a failure's problem never contains the password.
 */
export function parseDsn(text: string): DsnResult {
  const fail = (problem: string): DsnResult => ({ ok: false, problem });
  // Failures echo the text-level redaction: a malformed DSN (`postgres:///:pw@host`) can put its password in the path.
  const got = `got ${JSON.stringify(redactUrlText(text))}`;
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined)
    return fail(`must be a URL like postgres://user@host:5432/db or mysql://user@host:3306/db, ${got}`);
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
  return { ok: true, value: dsn };
}

/** The TLS query parameters of a DSN, which map onto `ssl`. */
interface DsnTls {
  mode?: SslMode;
  ca?: string;
  /** The parameters as written, e.g. `sslmode=verify-ca`, for messages about conflicts. */
  modeParam?: string;
  caParam?: string;
  /** The DSN's parameters without the TLS ones. */
  params: Record<string, string>;
  problems: string[];
}

const TLS_PARAMS: Record<Engine, { mode: string; ca: string }> = {
  postgres: { mode: 'sslmode', ca: 'sslrootcert' },
  mysql: { mode: 'ssl-mode', ca: 'ssl-ca' },
};

// libpq's names, and MySQL's (VERIFY_IDENTITY, REQUIRED, ...) read case-insensitively with _ as -.
const TLS_MODES: Record<string, SslMode> = {
  'verify-full': 'verify-full',
  'verify-identity': 'verify-full',
  'verify-ca': 'verify-ca',
  require: 'require',
  required: 'require',
  disable: 'disable',
  disabled: 'disable',
};

/** Reads a DSN's TLS parameters (`sslmode`/`sslrootcert`, `ssl-mode`/`ssl-ca`) apart from the others. */
export function dsnTls(dsn: ParsedDsn): DsnTls {
  const names = TLS_PARAMS[dsn.engine];
  const { [names.mode]: modeValue, [names.ca]: caValue, ...params } = dsn.params;
  const result: DsnTls = { params, problems: [] };
  if (modeValue !== undefined) {
    const mode = TLS_MODES[dsn.engine === 'mysql' ? modeValue.toLowerCase().replace(/_/g, '-') : modeValue];
    if (mode === undefined) {
      result.problems.push(
        `has ${names.mode}=${modeValue}, which rdsiam does not support; use verify-full, verify-ca, require or disable` +
          (dsn.engine === 'mysql' ? ' (or VERIFY_IDENTITY, VERIFY_CA, REQUIRED, DISABLED)' : ''),
      );
    } else {
      result.mode = mode;
      result.modeParam = `${names.mode}=${modeValue}`;
    }
  }
  if (caValue !== undefined && caValue !== '') {
    result.ca = caValue;
    result.caParam = `${names.ca}=${caValue}`;
  }
  return result;
}
