import type { CredentialsSource } from '../../src/config/keys.js';
import type { AwsCredentials, CredentialsProvider } from '../../src/aws-credentials.js';
import type { CredentialSettings } from '../../src/token/credentials.js';
/** Made-up keys in the documented AWS example format; never real. */
export declare const EXAMPLE_KEYS: {
    accessKeyId: string;
    secretAccessKey: string;
};
/** A credentials provider serving `keys` that counts how often it is asked. */
export declare function countingCredentials(keys: AwsCredentials): {
    provider: CredentialsProvider;
    calls: () => number;
};
/** What the credentials layer is given for `source`: no profile, no role, us-east-1 and a 5 s timeout unless told. */
export declare function credentialSettings(source: CredentialsSource, extra?: Partial<CredentialSettings>): CredentialSettings;
/** An AWS config file whose profile `name` runs `script` (sh) as its credential_process: the env for the SDK to use it alone. */
export declare function processProfile(name: string, script: string): Record<string, string | undefined>;
