import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCredentials } from './testbed.js';

export type EndpointBehaviour = 'ok' | 'error' | 'slow';

export interface ContainerEndpoint {
  /** For AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  url: string;
  /** How many credential requests it has answered (or refused). */
  hits(): number;
  /** The Authorization header of the last request (AWS_CONTAINER_AUTHORIZATION_TOKEN). */
  authorization(): string | undefined;
  close(): Promise<void>;
}

/**
 * A loopback ECS/EKS container-credentials endpoint, as the SDK's `fromContainerMetadata` calls it:
 * serves `credentials`, valid for an hour from `Date.now()` (ok); given a function, asks it for each answer, so
 * each fetch may hand out new session credentials, as a rotating endpoint does; answers 500 with a body that quotes the secret key, which no error may repeat
 * (error), or holds every request unanswered (slow).
 */
export async function startContainerEndpoint(
  credentials: TestCredentials | (() => TestCredentials),
  behaviour: EndpointBehaviour = 'ok',
): Promise<ContainerEndpoint> {
  let hits = 0;
  let authorization: string | undefined;
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    hits++;
    authorization = req.headers.authorization;
    if (behaviour === 'slow') return void held.push(res);
    const served = typeof credentials === 'function' ? credentials() : credentials;
    if (behaviour === 'error') {
      res.statusCode = 500;
      return void res.end(`internal error ${served.secretAccessKey}`);
    }
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        AccessKeyId: served.accessKeyId,
        SecretAccessKey: served.secretAccessKey,
        Token: served.sessionToken,
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2/credentials/rdsiam-test`,
    hits: () => hits,
    authorization: () => authorization,
    close: () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
