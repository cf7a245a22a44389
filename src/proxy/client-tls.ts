import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';

/** Answers a client's TLS handshake on a socket it asked to upgrade (PostgreSQL SSLRequest, MySQL CLIENT_SSL). */
export function startTls(socket: Socket, secureContext: SecureContext): Promise<TLSSocket> {
  const secure = new TLSSocket(socket, { isServer: true, secureContext });
  return new Promise((resolve, reject) => {
    secure.once('secure', () => resolve(secure));
    secure.once('error', reject);
  });
}
