import { connect } from 'node:net';
import type { ConnectionOptions } from 'mysql2/promise';
import type { ClientConfig } from 'pg';

interface ServerAddress {
  host: string;
  port: number;
  /** The name the server certificate is checked against (verify-full). */
  endpoint: string;
  database: string;
}

/** pg options for a login over verify-full TLS, dialling `host` but checking the cert for `endpoint`. */
export function pgOptions(ca: string, server: ServerAddress, user: string, password: string): ClientConfig {
  return {
    host: server.host,
    port: server.port,
    user,
    password,
    database: server.database,
    ssl: { ca, servername: server.endpoint, rejectUnauthorized: true },
    connectionTimeoutMillis: 15_000,
  };
}

/**
 * mysql2 options for a verify-full login. mysql2 checks the certificate's name only with
 * `verifyIdentity` and only against `host`, so `host` is the endpoint and the socket dials the address.
 * `token` logs in through mysql_clear_password (what RDS asks for); `password` through the default plugin.
 */
export function mysqlOptions(
  ca: string,
  server: ServerAddress,
  user: string,
  secret: { token: string } | { password: string },
): ConnectionOptions {
  return {
    host: server.endpoint,
    port: server.port,
    stream: () => connect({ host: server.host, port: server.port }),
    user,
    database: server.database,
    ssl: { ca, rejectUnauthorized: true, verifyIdentity: true },
    connectTimeout: 15_000,
    ...('token' in secret
      ? { authPlugins: { mysql_clear_password: () => () => Buffer.from(`${secret.token}\0`) } }
      : { password: secret.password }),
  };
}
