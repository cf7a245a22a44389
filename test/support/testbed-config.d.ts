import type { ConnectOptions } from '../../src/connect.js';
import type { AwsCredentials } from '../../src/aws-credentials.js';
import type { Testbed, TestCredentials } from './testbed.js';
export type Server = 'postgres' | 'mysql' | 'dsql';
/**
 * Connect options that reach a test bed server through its local address while signing for, and checking
 * the certificate against, its RDS-style endpoint name: the config a user behind a tunnel would write.
 */
export declare function testbedOptions(tb: Testbed, server: Server, credentials: () => Promise<AwsCredentials>, overrides?: Record<string, unknown>, user?: string): ConnectOptions;
/** The test bed's PostgreSQL reader endpoint as a named connection: its own user, signing for the cluster-ro name. */
export declare function testbedReader(tb: Testbed): {
    dsn: string;
    iam_host: string;
};
/** The same config as environment variables for another process, with `key` in the AWS_* variables. */
export declare function testbedEnv(tb: Testbed, server: Server, key: TestCredentials, extra?: Record<string, string>): Record<string, string>;
