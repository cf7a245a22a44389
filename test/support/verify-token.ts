import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface SigningKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CheckedToken {
  host: string;
  port: string;
  /** The query parameters, X-Amz-Signature and X-Amz-Security-Token left out. */
  params: Record<string, string>;
  hasSessionToken: boolean;
}

/**
 * Recomputes a token's SigV4 presigned signature from its own X-Amz-Date and X-Amz-Expires with `keys`,
 * independently of the SDK signer that produced it, and throws unless it matches.
 */
export async function verifyToken(
  token: string,
  service: 'rds-db' | 'dsql',
  region: string,
  keys: SigningKeys,
): Promise<CheckedToken> {
  const url = new URL(`https://${token}`);
  const q = url.searchParams;
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(q.get('X-Amz-Date') ?? '');
  if (date === null) throw new Error('the token has no X-Amz-Date');
  const [, y, mo, d, h, mi, s] = date.map(Number) as number[];
  const signingDate = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  const expiresIn = Number(q.get('X-Amz-Expires'));

  const query: Record<string, string> = {};
  for (const [name, value] of q) if (!name.startsWith('X-Amz-')) query[name] = value;
  const hostHeader = url.port === '' ? url.hostname : `${url.hostname}:${url.port}`;
  const signer = new SignatureV4({ service, region, credentials: keys, sha256: Sha256 });
  const expected = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: '/',
      query,
      headers: { host: hostHeader },
    },
    { signingDate, expiresIn },
  );
  const signed = expected.query ?? {};
  const want = signed['X-Amz-Signature'];
  if (typeof want !== 'string' || want !== q.get('X-Amz-Signature')) {
    throw new Error('the token signature does not match one recomputed from its own date and the given keys');
  }
  if (signed['X-Amz-Credential'] !== q.get('X-Amz-Credential')) throw new Error('credential scope differs');

  const params: Record<string, string> = {};
  for (const [name, value] of q)
    if (name !== 'X-Amz-Signature' && name !== 'X-Amz-Security-Token') params[name] = value;
  return { host: url.hostname, port: url.port, params, hasSessionToken: q.has('X-Amz-Security-Token') };
}
