import type { TestCredentials } from './testbed.js';
export interface PresignRequest {
    host: string;
    /** Part of the signed host (`host:port`) when given, as RDS tokens have it; DSQL tokens have none. */
    port?: number;
    service: string;
    query: Record<string, string>;
    /** Now unless told. */
    signingDate?: Date;
    /** 900 s unless told. */
    expiresIn?: number;
}
/**
 * A token signed by hand with SigV4 in us-east-1 (`<host>[:port]/?<query>`), for what the SDK signers will not make:
 * a past or future date, another service or action, an out-of-range lifetime.
 */
export declare function presign(keys: TestCredentials, o: PresignRequest): Promise<string>;
