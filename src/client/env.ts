import type { Engine } from '../config/dsn.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { ConfigError } from '../errors.js';
import { connectPlanFor } from '../drivers/plan.js';
import type { TlsPlan } from '../drivers/tls.js';
import { ipVersion } from '../ip.js';

/** How a database client that is not rdsiam's (psql, mysql, a migration tool) must connect. */
export interface ClientTarget {
  engine: Engine;
  /** `postgres:`, `postgresql:` or `mysql:`, as the DSN wrote it. */
  protocol: string;
  /** The host the client names, and checks the certificate against under verify-full. */
  host: string;
  /** The address to dial instead of `host` (PostgreSQL only: libpq's `hostaddr`). */
  dialHost?: string;
  port: number;
  user: string;
  database?: string;
  mode: 'verify-full' | 'verify-ca';
  /** The CA certificates (PEM) the client trusts: \`ssl.ca\`, else the Amazon RDS bundle. */
  ca: string;
  connection: string;
}

/** The files a client reads, by name inside one private directory. */
export const CA_FILE = 'ca.pem';
export const MYSQL_OPTION_FILE = 'my.cnf';

// Oracle's clients read only MYSQL_GROUP_SUFFIX; MariaDB's read MARIADB_GROUP_SUFFIX instead when it is set.
// Each flavour thus reads its own group, and neither sees the other's TLS option, which it would reject.
const MYSQL_GROUP = 'client_rdsiam_mysql';
const MARIADB_GROUP = 'client_rdsiam_mariadb';

/**
 * The client's view of one connection. The certificate is checked against the name rdsiam's own drivers
 * check (`ssl.servername`, else `iam_host`, else the DSN host). When that is not the host dialled, only libpq
 * can dial one and check the other (`hostaddr`); MySQL clients check the host they dial, so that case is
 * refused rather than weakened.
 */
export function clientTargetFor(config: ResolvedConfig, tls: TlsPlan | undefined): ClientTarget {
  const { mode } = config.ssl;
  if (tls === undefined || (mode !== 'verify-full' && mode !== 'verify-ca')) {
    throw new ConfigError(
      [
        {
          path: 'ssl.mode',
          origin: config.origins['ssl.mode'],
          message: `must be verify-full or verify-ca to hand a token to another client, got ${mode}`,
        },
      ],
      'Cannot set up a client',
    );
  }
  const plan = connectPlanFor(config);
  const target: ClientTarget = {
    engine: config.dsn.engine,
    protocol: config.dsn.protocol,
    host: plan.host,
    port: plan.port,
    user: plan.user,
    mode,
    ca: Array.isArray(tls.ca) ? tls.ca.join('\n') : tls.ca,
    connection: config.connection,
  };
  if (plan.database !== undefined) target.database = plan.database;
  const name = tls.verifyName;
  if (name === null || name.toLowerCase() === plan.host.toLowerCase()) return target;
  if (config.dsn.engine === 'postgres') return { ...target, host: name, dialHost: plan.host };
  const key = config.ssl.servername === undefined ? 'iam_host' : 'ssl.servername';
  throw new ConfigError(
    [
      {
        path: key,
        origin: config.origins[key],
        message:
          `the certificate must name ${name}, but the DSN dials ${plan.host}. MySQL and MariaDB clients check the ` +
          `certificate against the host they dial and cannot dial one host while checking another name. Either make ` +
          `${name} resolve to the address you dial (e.g. an /etc/hosts entry for a tunnel) and use it as the DSN host, ` +
          'or, for this command only, check the chain but not the name with RDSIAM_SSL__MODE=verify-ca',
      },
    ],
    'Cannot set up a MySQL client',
  );
}

/** The files the client reads: the CA, and for MySQL an option file (clients take no TLS settings from env). */
export function clientFiles(target: ClientTarget, dir: string): Record<string, string> {
  const files: Record<string, string> = { [CA_FILE]: target.ca };
  if (target.engine === 'mysql') files[MYSQL_OPTION_FILE] = mysqlOptionFile(target, `${dir}/${CA_FILE}`);
  return files;
}

function mysqlOptionFile(target: ClientTarget, caFile: string): string {
  const full = target.mode === 'verify-full';
  return [
    `# rdsiam: connection "${target.connection}" for MySQL and MariaDB clients, read through MYSQL_HOME / MARIADB_HOME.`,
    '# The token is not here: clients read it from MYSQL_PWD.',
    '[client]',
    `host=${optionValue(target.host)}`,
    `port=${target.port}`,
    // Else the clients take "localhost" to mean the local Unix socket.
    'protocol=TCP',
    `user=${optionValue(target.user)}`,
    `ssl-ca=${optionValue(caFile)}`,
    ...(target.database === undefined ? [] : ['[mysql]', `database=${optionValue(target.database)}`]),
    `[${MYSQL_GROUP}]`,
    `ssl-mode=${full ? 'VERIFY_IDENTITY' : 'VERIFY_CA'}`,
    `[${MARIADB_GROUP}]`,
    // With ssl-ca set, MariaDB clients verify the chain; this adds the name.
    full ? 'ssl-verify-server-cert' : 'skip-ssl-verify-server-cert',
    '',
  ].join('\n');
}

/** An option-file value in double quotes, in which the clients read backslash escapes. */
function optionValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** What a client's environment gets: variables to set, and inherited ones to remove. */
export interface ClientEnv {
  set: Record<string, string>;
  unset: string[];
}

interface ClientEnvInput {
  target: ClientTarget;
  token: string;
  /** The directory holding `clientFiles()`. */
  dir: string;
  /** The numeric address of `target.dialHost` (libpq's PGHOSTADDR takes no name). */
  hostaddr?: string;
  /** The environment the client would otherwise inherit. */
  inherited: Record<string, string | undefined>;
  /** True when the DSN came from DATABASE_URL, which this environment replaces. */
  dsnFromDatabaseUrl: boolean;
}

/** The environment variables libpq, the MySQL and MariaDB clients, and DSN-reading tools take a connection from. */
export function clientEnv(input: ClientEnvInput): ClientEnv {
  const { target, token, dir, hostaddr, inherited } = input;
  const caFile = `${dir}/${CA_FILE}`;
  const set: Record<string, string> =
    target.engine === 'postgres'
      ? {
          PGHOST: target.host,
          ...(hostaddr === undefined ? {} : { PGHOSTADDR: hostaddr }),
          PGPORT: String(target.port),
          PGUSER: target.user,
          ...(target.database === undefined ? {} : { PGDATABASE: target.database }),
          PGPASSWORD: token,
          PGSSLMODE: target.mode,
          PGSSLROOTCERT: caFile,
        }
      : {
          MYSQL_HOST: target.host,
          MYSQL_TCP_PORT: String(target.port),
          MYSQL_PWD: token,
          // Oracle's libmysqlclient sends a cleartext password (what RDS asks for) only with this set.
          LIBMYSQL_ENABLE_CLEARTEXT_PLUGIN: 'Y',
          MYSQL_HOME: dir,
          MARIADB_HOME: dir,
          MYSQL_GROUP_SUFFIX: MYSQL_GROUP.slice('client'.length),
          MARIADB_GROUP_SUFFIX: MARIADB_GROUP.slice('client'.length),
        };
  set.DATABASE_URL = databaseUrl(target, token, caFile, hostaddr);
  // Node tools given `ssl: true` (pg from PG* variables, mysql2 from this DATABASE_URL) verify against Node's
  // own CA store: this adds the CA to it. A value the user set is left alone.
  if (!inherited.NODE_EXTRA_CA_CERTS) set.NODE_EXTRA_CA_CERTS = caFile;
  // An app under `rdsiam exec` that uses rdsiam itself would read the token-bearing DATABASE_URL as its DSN.
  if (input.dsnFromDatabaseUrl && inherited.DATABASE_URL !== undefined) set.RDSIAM_DSN = inherited.DATABASE_URL;
  // PGSERVICE's service file would beat these variables; an inherited PGHOSTADDR would redirect the dial.
  const unset = target.engine === 'postgres' ? ['PGSERVICE', ...(hostaddr === undefined ? ['PGHOSTADDR'] : [])] : [];
  return { set, unset };
}

/**
 * The connection as one URL, the token percent-encoded. PostgreSQL: libpq's parameters (`sslmode`,
 * `sslrootcert`, `hostaddr`), which node-postgres and most drivers read too. MySQL: mysql2's `ssl` object
 * (its CA comes from NODE_EXTRA_CA_CERTS) and `enableCleartextPlugin`, since MySQL URLs have no common TLS
 * parameter names.
 */
export function databaseUrl(target: ClientTarget, token: string, caFile: string, hostaddr?: string): string {
  const query: [string, string][] =
    target.engine === 'postgres'
      ? [
          ...(hostaddr === undefined ? [] : [['hostaddr', hostaddr] as [string, string]]),
          ['sslmode', target.mode],
          ['sslrootcert', caFile],
        ]
      : [
          ['ssl', JSON.stringify({ rejectUnauthorized: true, verifyIdentity: target.mode === 'verify-full' })],
          // mysql2 sends a cleartext password (what RDS asks for) only when told to; `ssl` makes TLS required.
          ['enableCleartextPlugin', 'true'],
        ];
  return connectionUrl(target, token, query);
}

/** `protocol://user:token@host:port/database?query`, each part percent-encoded (IPv6 hosts in brackets). */
export function connectionUrl(target: ClientTarget, token: string, query: readonly [string, string][]): string {
  const host = ipVersion(target.host) === 6 ? `[${target.host}]` : target.host;
  const path = target.database === undefined ? '' : encodeURIComponent(target.database);
  // `/` and `:` may stay as they are in a query value; a CA path stays readable.
  const params = query
    .map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2F/g, '/').replace(/%3A/g, ':')}`)
    .join('&');
  return `${target.protocol}//${encodeURIComponent(target.user)}:${encodeURIComponent(token)}@${host}:${target.port}/${path}?${params}`;
}
