import type { CredentialsSource } from '../../src/config/keys.js';
import type { AwsCredentials, CredentialSettings, CredentialsProvider } from '../../src/token/credentials.js';

/** Made-up keys in the documented AWS example format; never real. */
export const EXAMPLE_KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** A credentials provider serving `keys` that counts how often it is asked. */
export function countingCredentials(keys: AwsCredentials): { provider: CredentialsProvider; calls: () => number } {
  let calls = 0;
  return {
    provider: async () => {
      calls += 1;
      return { ...keys };
    },
    calls: () => calls,
  };
}

/** What the credentials layer is given for `source`: no profile, no role, us-east-1 and a 5 s timeout unless told. */
export function credentialSettings(source: CredentialsSource, extra: Partial<CredentialSettings> = {}): CredentialSettings {
  return {
    source,
    profile: undefined,
    roleArn: undefined,
    roleSessionName: undefined,
    externalId: undefined,
    region: 'us-east-1',
    timeoutMs: 5000,
    ...extra,
  };
}
