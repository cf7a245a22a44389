import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
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
export async function presign(keys: TestCredentials, o: PresignRequest): Promise<string> {
  const signer = new SignatureV4({ service: o.service, region: 'us-east-1', sha256: Sha256, credentials: keys });
  const hostHeader = o.port === undefined ? o.host : `${o.host}:${o.port}`;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: o.host,
      port: o.port,
      path: '/',
      query: o.query,
      headers: { host: hostHeader },
    },
    { signingDate: o.signingDate ?? new Date(), expiresIn: o.expiresIn ?? 900 },
  );
  return `${hostHeader}/?${new URLSearchParams(signed.query as Record<string, string>).toString()}`;
}
