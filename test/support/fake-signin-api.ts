import { once } from 'node:events';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsCredentials } from '../../src/aws-credentials.js';

/** One CreateOAuth2Token request as the fake saw it, its DPoP proof checked. */
export interface SigninCall {
  path: string;
  body: Record<string, unknown>;
  /** The DPoP proof's signature verified with the key its header carries, for this method and URL. */
  dpopValid: boolean;
  /** The public key the proof was signed with (its JWK x coordinate). */
  dpopKeyX: string | undefined;
}

/** What the next refresh gets: new credentials, or the service's AccessDeniedException with this `error`. */
export type SigninAnswer =
  | {
      kind: 'token';
      credentials: Required<Omit<AwsCredentials, 'expiration'>>;
      refreshToken: string;
      expiresIn: number;
    }
  | { kind: 'denied'; error: 'TOKEN_EXPIRED' | 'USER_CREDENTIALS_CHANGED' | 'INSUFFICIENT_PERMISSIONS' };

/**
 * A loopback stand-in for the AWS Sign-In service's CreateOAuth2Token (REST-JSON, `POST /v1/token`), which renews an
 * `aws login` session. Reach it with `AWS_ENDPOINT_URL_SIGNIN=fake.url`.
 */
export class FakeSigninApi {
  readonly calls: SigninCall[] = [];
  answer: SigninAnswer = { kind: 'denied', error: 'TOKEN_EXPIRED' };
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#serve(req, res));
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const path = req.url ?? '';
    const dpop = checkDpop(String(req.headers['dpop'] ?? ''), req.method ?? '', `${this.url}${path}`);
    this.calls.push({ path, body, ...dpop });
    const reply = (status: number, json: unknown, type?: string) => {
      res.writeHead(status, { 'content-type': 'application/json', ...(type && { 'x-amzn-errortype': type }) });
      res.end(JSON.stringify(json));
    };
    if (req.method !== 'POST' || path !== '/v1/token') {
      reply(404, { message: `no route ${req.method} ${path}` }, 'UnknownOperationException');
      return;
    }
    const answer = this.answer;
    if (answer.kind === 'denied') {
      reply(400, { error: answer.error, message: 'Access denied' }, 'AccessDeniedException');
      return;
    }
    reply(200, {
      accessToken: answer.credentials,
      tokenType: 'aws_sigv4',
      expiresIn: answer.expiresIn,
      refreshToken: answer.refreshToken,
    });
  }
}

/** Verifies a DPoP proof (RFC 9449): an ES256 JWT signed by the key in its header, for this method and URL. */
function checkDpop(proof: string, method: string, url: string): { dpopValid: boolean; dpopKeyX: string | undefined } {
  const [header64, payload64, signature64] = proof.split('.');
  if (!header64 || !payload64 || !signature64) return { dpopValid: false, dpopKeyX: undefined };
  const header = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8')) as { alg: string; jwk: JsonWebKey };
  const payload = JSON.parse(Buffer.from(payload64, 'base64url').toString('utf8')) as { htm: string; htu: string };
  const signed = verify(
    'sha256',
    Buffer.from(`${header64}.${payload64}`),
    { key: createPublicKey({ key: header.jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature64, 'base64url'),
  );
  return {
    dpopValid: signed && header.alg === 'ES256' && payload.htm === method && payload.htu === url,
    dpopKeyX: header.jwk.x,
  };
}
