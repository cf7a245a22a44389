import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CredentialsSource } from '../../src/config/keys.js';
import type { AwsCredentials, CredentialsProvider } from '../../src/aws-credentials.js';
import type { CredentialSettings } from '../../src/token/credentials.js';
import { NO_AWS_ENV } from './env.js';
import { tempDir } from './temp-dir.js';

/** Made-up keys in the documented AWS example format; never real. */
export const EXAMPLE_KEYS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

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
export function credentialSettings(
  source: CredentialsSource,
  extra: Partial<CredentialSettings> = {},
): CredentialSettings {
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

/** An AWS config file whose profile `name` runs `script` (sh) as its credential_process: the env for the SDK to use it alone. */
export function processProfile(name: string, script: string): Record<string, string | undefined> {
  const dir = tempDir('rdsiam-profile-');
  const file = join(dir, `${name}.sh`);
  writeFileSync(file, `#!/bin/sh\n${script}`, { mode: 0o755 });
  const config = join(dir, 'config');
  writeFileSync(config, `[profile ${name}]\ncredential_process = ${file}\n`);
  return { ...NO_AWS_ENV, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') };
}
