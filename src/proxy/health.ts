import { createServer } from 'node:http';
import type { HostPort } from './options.js';

/** What the health endpoints report on. */
export interface HealthState {
  /** Every listener is up. */
  started(): boolean;
  /** Shutting down: not ready for new clients any more. */
  stopping(): boolean;
  /** Signs in upstream once per listener; the reason when one fails, else undefined. Never a token. */
  probe(): Promise<string | undefined>;
}

/**
 * `/startup`, `/readiness` and `/liveness` over HTTP, as Cloud SQL Auth Proxy serves them for container probes:
 * 200 `ok`, or 503 with the reason.
 */
export async function serveHealth(address: HostPort, state: HealthState): Promise<{ close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const answer = (reason: string | undefined) => {
      res.writeHead(reason === undefined ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(reason === undefined ? 'ok\n' : `${reason}\n`);
    };
    const path = (req.url ?? '').split('?')[0];
    if (path === '/liveness') return answer(undefined);
    if (path === '/startup') return answer(state.started() ? undefined : 'starting');
    if (path === '/readiness') {
      if (!state.started()) return answer('starting');
      if (state.stopping()) return answer('shutting down');
      state.probe().then(answer, (err: Error) => answer(err.message));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found: try /startup, /readiness or /liveness\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address.host, port: address.port }, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
