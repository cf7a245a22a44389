import type { Socket } from 'node:net';
import { type Duplex, Transform } from 'node:stream';

export interface RelayOptions {
  /** Read from the client during the handshake but not yet passed on. */
  clientLeftover: Buffer;
  upstreamLeftover: Buffer;
  /** Closes both sides after this long without a byte either way (`--idle-timeout-s`). */
  idleTimeoutMs: number | undefined;
  /** Called when the client went first, before the upstream side is closed (to cancel what it was running). */
  onClientGone?(): void;
  /** What of each chunk from the client goes on to the database (to answer some commands itself); all of it if unset. */
  fromClient?(chunk: Buffer): Buffer;
  /** Sees each chunk in either direction (to follow the session's state); the bytes pass unchanged. */
  observe?: { fromClient?(chunk: Buffer): void; toClient?(chunk: Buffer): void };
}

export interface RelayStats {
  bytesFromClient: number;
  bytesToClient: number;
}

/** Passes bytes both ways until either side closes, then closes the other; resolves when both are closed. */
export function relay(client: Socket, upstream: Duplex, options: RelayOptions): Promise<RelayStats> {
  const stats: RelayStats = { bytesFromClient: 0, bytesToClient: 0 };
  const pass = options.fromClient;
  const clientLeftover = pass ? pass(options.clientLeftover) : options.clientLeftover;
  if (clientLeftover.length > 0) upstream.write(clientLeftover);
  if (options.upstreamLeftover.length > 0) client.write(options.upstreamLeftover);
  stats.bytesFromClient += options.clientLeftover.length;
  stats.bytesToClient += options.upstreamLeftover.length;
  if (pass) {
    const filter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const kept = pass(chunk);
        done(null, kept.length > 0 ? kept : undefined);
      },
    });
    client.pipe(filter).pipe(upstream);
  } else client.pipe(upstream);
  upstream.pipe(client);
  const { fromClient, toClient } = options.observe ?? {};
  client.on('data', (chunk: Buffer) => {
    stats.bytesFromClient += chunk.length;
    fromClient?.(chunk);
  });
  upstream.on('data', (chunk: Buffer) => {
    stats.bytesToClient += chunk.length;
    toClient?.(chunk);
  });
  client.resume();
  upstream.resume();
  if (options.idleTimeoutMs !== undefined) client.setTimeout(options.idleTimeoutMs, () => client.destroy());

  const closed = (socket: Duplex) =>
    new Promise<void>((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
  let clientGone = false;
  client.on('error', () => client.destroy());
  upstream.on('error', () => upstream.destroy());
  client.once('close', () => {
    clientGone = true;
    options.onClientGone?.();
    upstream.destroy();
  });
  // The database's last words (a FATAL before it closes) still reach the client; then the socket is closed.
  upstream.once('close', () => {
    if (!clientGone) client.end(() => client.destroy());
  });
  return Promise.all([closed(client), closed(upstream)]).then(() => stats);
}
