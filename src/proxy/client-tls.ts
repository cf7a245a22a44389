import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { type SecureContext, TLSSocket } from 'node:tls';

/**
 * Answers a client's TLS handshake on a socket it asked to upgrade (PostgreSQL SSLRequest, MySQL CLIENT_SSL).
 * `head`: the start of the handshake, already read from the socket (a MySQL client sends its TLS hello right after
 * the SSLRequest, with no answer to wait for).
 */
export function startTls(socket: Socket, secureContext: SecureContext, head?: Buffer): Promise<TLSSocket> {
  const secure = new TLSSocket(head?.length ? prepended(socket, head) : socket, { isServer: true, secureContext });
  return new Promise((resolve, reject) => {
    secure.once('secure', () => resolve(secure));
    secure.once('error', reject);
  });
}

/** The socket as a stream that first gives `head`, then what the socket receives. */
function prepended(socket: Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read: () => void socket.resume(),
    write: (chunk: Buffer, _encoding, done) => void socket.write(chunk, done),
    final: (done) => void socket.end(done),
    destroy: (err, done) => {
      socket.destroy(err ?? undefined);
      done(err);
    },
  });
  stream.push(head);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  socket.on('error', (err) => stream.destroy(err));
  socket.resume();
  return stream;
}
