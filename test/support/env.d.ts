/** Runs `fn` with these environment variables set (undefined deletes), then restores the previous values. */
export declare function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T>;
/** Every variable the AWS SDK reads for credentials, cleared so the test controls the source alone. */
export declare const NO_AWS_ENV: Record<string, undefined>;
