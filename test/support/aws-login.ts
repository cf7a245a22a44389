import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsCredentials } from '../../src/aws-credentials.js';
import { tempDir } from './temp-dir.js';

/** The login_session `aws login` writes into a profile: the signed-in principal's ARN. */
const LOGIN_SESSION = 'arn:aws:iam::123456789012:user/dev';

/** The OAuth client id `aws login` sessions are issued to (same-device flow). */
export const LOGIN_CLIENT_ID = 'arn:aws:signin:::devtools/same-device';

export interface LoginHome {
  /** Point HOME here. */
  home: string;
  /** ~/.aws/login/cache/<sha256 of login_session>.json */
  cacheFile: string;
  refreshToken: string;
  /** The session's DPoP key (PEM, SEC1) and its public JWK's x coordinate. */
  dpopKey: string;
  dpopKeyX: string;
}

/**
 * A home directory after `aws login --profile <profile>`, in the shape the AWS CLI writes and the SDK's login provider
 * reads: the profile's login_session in ~/.aws/config, and the session (credentials, refresh token, DPoP key) cached
 * under ~/.aws/login/cache, expiring `expiresInMs` from now.
 */
export function loginHome(
  profile: string,
  credentials: Required<Omit<AwsCredentials, 'expiration'>>,
  expiresInMs: number,
): LoginHome {
  const home = tempDir('rdsiam-login-home-');
  const section = profile === 'default' ? '[default]' : `[profile ${profile}]`;
  mkdirSync(join(home, '.aws/login/cache'), { recursive: true });
  writeFileSync(join(home, '.aws/config'), `${section}\nlogin_session = ${LOGIN_SESSION}\nregion = us-east-1\n`);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const dpopKey = privateKey.export({ format: 'pem', type: 'sec1' }).toString();
  const name = `${createHash('sha256').update(LOGIN_SESSION, 'utf8').digest('hex')}.json`;
  const cacheFile = join(home, '.aws/login/cache', name);
  const refreshToken = `login-refresh-token-${name.slice(0, 16)}`;
  const session = {
    accessToken: {
      ...credentials,
      accountId: '123456789012',
      expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    },
    tokenType: 'aws_sigv4',
    clientId: LOGIN_CLIENT_ID,
    refreshToken,
    idToken: 'header.payload.signature',
    dpopKey,
    signInRegion: 'us-east-1',
  };
  writeFileSync(cacheFile, JSON.stringify(session, null, 2));
  return { home, cacheFile, refreshToken, dpopKey, dpopKeyX: String(publicKey.export({ format: 'jwk' }).x) };
}
