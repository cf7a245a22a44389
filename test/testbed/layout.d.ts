/** The fixed facts of the test bed: names a test can rely on. Ports and secrets are chosen at start. */
export declare const REGION = "us-east-1";
export declare const ENDPOINTS: {
    readonly postgres: "testbed.cluster-abc123example.us-east-1.rds.amazonaws.com";
    readonly postgresReader: "testbed.cluster-ro-abc123example.us-east-1.rds.amazonaws.com";
    readonly postgresGlobal: "testbed.global-abc123example.global.rds.amazonaws.com";
    readonly mysql: "testbed-mysql.cluster-abc123example.us-east-1.rds.amazonaws.com";
    readonly dsql: "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws";
};
export declare const USERS: {
    readonly pgIam: "iam_app";
    readonly pgIamReader: "iam_reader";
    readonly pgPassword: "plain_app";
    readonly mysqlIam: "iam_app";
    readonly mysqlPassword: "plain_app";
    readonly dsqlAdmin: "admin";
    readonly dsqlRole: "app_role";
};
export declare const DATABASE = "rdsiam_test";
/**
 * The default work dir of the clone at `root` (a path ending in a slash): under the system temp dir, keyed by the
 * clone's path. The servers run as the postgres and mysql users, who must reach it, and a clone may sit where they
 * cannot (a home directory, a `mktemp -d`).
 */
export declare function defaultWorkDir(root: string): string;
/** Every path the test bed uses, derived from one work dir (`TESTBED_DIR`, else one per clone in the temp dir). */
export declare function layout(env?: NodeJS.ProcessEnv): {
    repoRoot: string;
    dir: string;
    stateFile: string;
    logs: string;
    tls: string;
    pamBuild: string;
    run: string;
    verifier: {
        config: string;
        pidFile: string;
        pamSocket: string;
        controlSocket: string;
        log: string;
    };
    postgres: {
        root: string;
        data: string;
        socketDir: string;
        log: string;
    };
    dsql: {
        root: string;
        data: string;
        socketDir: string;
        log: string;
    };
    mysql: {
        root: string;
        data: string;
        config: string;
        socket: string;
        pidFile: string;
        log: string;
    };
    pamServices: {
        postgres: string;
        mysql: string;
        dsql: string;
    };
};
export type Layout = ReturnType<typeof layout>;
