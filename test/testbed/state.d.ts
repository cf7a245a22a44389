export interface TestCredentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}
export interface RdsServerFacts {
    host: string;
    port: number;
    /** The RDS-style writer name the server certificate covers and the verifier accepts. */
    endpoint: string;
    region: string;
    iamUser: string;
    database: string;
    /** A user that logs in with a plain password (for no-plugin tests). */
    passwordUser: string;
    password: string;
    pamService: string;
}
export interface TestbedState {
    version: 1;
    startedAt: string;
    /** Hash of the test bed code that started it (see code-hash.ts). */
    codeHash: string;
    /** Absolute path of the test CA certificate (PEM). */
    ca: string;
    /** `globalEndpoint`: an Aurora global writer name for the same server; its certificate names `endpoint` only. */
    postgres: RdsServerFacts & {
        readerEndpoint: string;
        readerUser: string;
        globalEndpoint: string;
    };
    mysql: RdsServerFacts;
    dsql: {
        host: string;
        port: number;
        endpoint: string;
        region: string;
        adminUser: string;
        roleUser: string;
        database: string;
        pamService: string;
    };
    /** Keys the verifier knows from start-up: a long-term one and a temporary one (with session token). */
    credentials: TestCredentials[];
    verifier: {
        controlSocket: string;
        pamSocket: string;
        pidFile: string;
        log: string;
    };
}
/** Written atomically and readable by root only: it holds the test keys and passwords. */
export declare function writeState(path: string, state: TestbedState): Promise<void>;
export declare function readState(path: string): Promise<TestbedState>;
