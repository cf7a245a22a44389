import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

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
  const { fromClient: seeFromClient, toClient: seeToClient } = options.observe ?? {};
  const pass = options.fromClient;
  forward(client, upstream, options.clientLeftover, (chunk) => {
    stats.bytesFromClient += chunk.length;
    seeFromClient?.(chunk);
    return pass ? pass(chunk) : chunk;
  });
  forward(upstream, client, options.upstreamLeftover, (chunk) => {
    stats.bytesToClient += chunk.length;
    seeToClient?.(chunk);
    return chunk;
  });
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

/**
 * Writes what `keep` leaves of each chunk read from `from` (after `leftover`) to `to`, the same Buffer when it keeps
 * it all. One listener per direction and no stream in between: the relay's whole per-chunk cost. `from` pauses
 * while `to` has more queued than its high-water mark, as `pipe` would.
 */
function forward(from: Duplex, to: Duplex, leftover: Buffer, keep: (chunk: Buffer) => Buffer): void {
  const write = (chunk: Buffer): boolean => {
    const kept = keep(chunk);
    if (kept.length === 0 || to.write(kept)) return true;
    from.pause();
    return false;
  };
  from.on('data', write);
  from.once('end', () => to.end());
  to.on('drain', () => from.resume());
  if (leftover.length === 0 || write(leftover)) from.resume();
}
