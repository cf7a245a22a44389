// Faults on every leg of a connect: each gives a clear, typed error, with no hang and no unhandled rejection.
// The per-test `timeout` is the hang guard; no test asserts how fast anything is.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  AuthError,
  CredentialsError,
  connectFromConfig,
  UnavailableError,
  type ConnectOptions,
} from '../../src/index.js';
import { closedPort } from '../support/fake-front-end.js';
import { startContainerEndpoint } from '../support/container-endpoint.js';
import { NO_AWS_ENV, withEnv } from '../support/env.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';
import { countingCredentials, processProfile } from '../support/credentials.js';
import { testbedOptions, type Server } from '../support/testbed-config.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

before(async () => {
  process.on('unhandledRejection', onUnhandled);
});
after(async () => {
  // Give stray promises a turn to surface before the verdict.
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'no fault may end in an unhandled rejection');
});

/** Options that take credentials from the SDK (no injected provider), with their own timeout so each case has its own provider. */
function sdkOptions(bed: Testbed, overrides: Record<string, unknown>): ConnectOptions {
  const { credentials: _none, ...options } = testbedOptions(
    bed,
    'postgres',
    async () => assert.fail('unused'),
    overrides,
  );
  return options;
}

describe('credential faults', () => {
  const processCases: [string, string, RegExp][] = [
    ['exits non-zero', 'echo "no session" >&2\nexit 3\n', /Command failed/],
    ['hangs', 'exec sleep 30\n', /timed out/],
    ['prints junk', 'echo "<html>not json</html>"\n', /invalid JSON|JSON/],
  ];
  processCases.forEach(([what, script, reason], i) => {
    test(`credential_process that ${what}: CredentialsError`, { timeout: 15_000 }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const profile = `fault${i}`;
      const options = sdkOptions(tb, {
        aws_credentials_source: 'process',
        aws_profile: profile,
        connect_timeout_ms: 700,
      });
      const err = await withEnv(processProfile(profile, script), () =>
        connectFromConfig(options).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      assert.ok(err instanceof CredentialsError, String(err));
      assert.match(err.message, reason);
      assert.equal(err.profile, profile);
    });
  });

  for (const behaviour of ['error', 'slow', 'unreachable'] as const) {
    test(`container credentials endpoint ${behaviour === 'error' ? 'answering 500' : behaviour}: CredentialsError`, {
      timeout: 15_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const endpoint = await startContainerEndpoint(tb.credentials[1]!, behaviour === 'unreachable' ? 'ok' : behaviour);
      const url = endpoint.url;
      if (behaviour === 'unreachable') await endpoint.close();
      try {
        const timeout = { error: 801, slow: 802, unreachable: 803 }[behaviour];
        const options = sdkOptions(tb, { aws_credentials_source: 'container', connect_timeout_ms: timeout });
        const err = await withEnv({ ...NO_AWS_ENV, AWS_CONTAINER_CREDENTIALS_FULL_URI: url }, () =>
          connectFromConfig(options).then(
            () => undefined,
            (e: unknown) => e,
          ),
        );
        assert.ok(err instanceof CredentialsError, String(err));
        assert.equal(err.source, 'container');
        if (behaviour === 'slow') assert.match(err.message, /timed out/);
      } finally {
        if (behaviour !== 'unreachable') await endpoint.close();
      }
    });
  }
});

/** A TCP server that accepts, reads the first bytes of the handshake, then closes the connection. */
async function closingServer(): Promise<{ port: number; close(): void }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.once('data', () => socket.destroy());
    // MySQL speaks first: send half a greeting packet, then hang up.
    socket.write(Buffer.from([0x4a, 0x00, 0x00, 0x00, 0x0a, 0x35]));
    setTimeout(() => socket.destroy(), 50);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** A port that nothing listens on: bound, then released. */
for (const server of ['postgres', 'mysql'] as const satisfies readonly Server[]) {
  describe(`database faults: ${server}`, () => {
    const protocol = server === 'mysql' ? 'mysql' : 'postgres';

    test('database down (connection refused): retried within the budget, then RDSIAM_UNAVAILABLE with the driver error as cause', {
      timeout: 15_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const port = await closedPort();
      const options = testbedOptions(tb, server, countingCredentials(await tb.newKey()).provider, {
        dsn: `${protocol}://iam_app@127.0.0.1:${port}/x`,
        connect_retry_budget_ms: 1_000,
      });
      await assert.rejects(
        () => connectFromConfig(options),
        (err: unknown) =>
          err instanceof UnavailableError && (err.cause as { code?: unknown } | undefined)?.code === 'ECONNREFUSED',
      );
    });

    test('the server closes the connection mid-handshake: a connection error, retried only within the budget', {
      timeout: 15_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const closing = await closingServer();
      try {
        const options = testbedOptions(tb, server, countingCredentials(await tb.newKey()).provider, {
          dsn: `${protocol}://iam_app@127.0.0.1:${closing.port}/x`,
          connect_timeout_ms: 3000,
          connect_retry_budget_ms: 1_000,
        });
        await assert.rejects(
          () => connectFromConfig(options),
          (err: Error) => {
            const driverError = err instanceof UnavailableError ? (err.cause as Error) : err;
            return (
              !(err instanceof AuthError) &&
              /terminated|closed|lost|ECONNRESET|EPIPE|socket hang up|SSL connection/i.test(driverError.message)
            );
          },
        );
      } finally {
        closing.close();
      }
    });

    test('the verifier hangs up without an answer: the login is refused and reported as an AuthError', {
      timeout: 30_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey({ hangUp: true });
      const options = testbedOptions(tb, server, countingCredentials(key).provider);
      await assert.rejects(() => connectFromConfig(options), AuthError);
    });
  });
}
