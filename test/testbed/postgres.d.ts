import { type OsUser } from './run-command.js';
import type { TlsFiles } from './tls.js';
export interface ClusterPaths {
    root: string;
    data: string;
    socketDir: string;
    log: string;
}
/** The newest installed PostgreSQL's bin dir (Debian keeps them out of PATH, by version). */
export declare function postgresBinDir(): Promise<string>;
/**
 * A fresh PostgreSQL cluster on 127.0.0.1:`port` with TLS, run as the postgres OS user.
 * `hba` replaces pg_hba.conf; `setupSql` runs as the superuser over the unix socket.
 */
export declare function startCluster(options: {
    paths: ClusterPaths;
    port: number;
    tls: TlsFiles;
    owner: OsUser;
    hba: string;
    setupSql: readonly string[];
}): Promise<void>;
/** Stops the cluster if it runs (fast shutdown, then signals). */
export declare function stopCluster(paths: ClusterPaths, owner: OsUser | undefined): Promise<void>;
