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
export declare function pgOptions(ca: string, server: ServerAddress, user: string, password: string): ClientConfig;
/**
 * mysql2 options for a verify-full login. mysql2 checks the certificate's name only with
 * `verifyIdentity` and only against `host`, so `host` is the endpoint and the socket dials the address.
 * `token` logs in through mysql_clear_password (what RDS asks for); `password` through the default plugin.
 */
export declare function mysqlOptions(ca: string, server: ServerAddress, user: string, secret: {
    token: string;
} | {
    password: string;
}): ConnectionOptions;
export {};
