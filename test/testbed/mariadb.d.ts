import type { Layout } from './layout.js';
import { type OsUser } from './run-command.js';
import type { TlsFiles } from './tls.js';
export declare const MARIADBD = "/usr/sbin/mariadbd";
type MysqlPaths = Layout['mysql'];
/**
 * A fresh MariaDB on 127.0.0.1:`port` with TLS required and the PAM plugin in cleartext mode.
 * It uses auth_pam_v1 (PAM inside mariadbd, as the mysql user): v2 needs the setuid helper
 * auth_pam_tool_dir/auth_pam_tool, which is absent on some images, and our module needs no root.
 */
export declare function startMariadb(options: {
    paths: MysqlPaths;
    port: number;
    tls: TlsFiles;
    owner: OsUser;
    setupSql: string;
}): Promise<void>;
export declare function stopMariadb(paths: MysqlPaths): Promise<void>;
export {};
