// Leak scan: success and failure paths with every diagnostics channel printed ("debug logging on"), capturing
// stdout, stderr, error messages, stacks and util.inspect output. No token and no secret may appear anywhere.
import assert from 'node:assert/strict';
import { channel } from 'node:diagnostics_channel';
import { createServer, type AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { describe, test } from 'node:test';
import { connectFromConfig, createPoolFromConfig, getAuthToken } from '../../src/index.js';
import { RDSIAM_CHANNELS } from '../../src/events.js';
import { requireTestbed, type Testbed, type TestCredentials } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { onEvent } from '../support/events.js';
import { testbedOptions, type Server } from '../support/testbed-config.js';

// A token part with its value; a scrubbed one reads `X-Amz-Signature=***`.
interface Closeable {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

const TOKEN_PARTS = /X-Amz-(Signature|Security-Token|Credential)=(?!\*\*\*)/;

/** Runs `scenario` with every rdsiam event printed and stdout/stderr captured; returns all text produced. */
async function captured(scenario: (record: (value: unknown) => void) => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const record = (value: unknown) => {
    chunks.push(inspect(value, { depth: 8, showHidden: true, getters: true }));
    if (value instanceof Error) chunks.push(value.message, String(value.stack), JSON.stringify(value));
  };
  const stops = RDSIAM_CHANNELS.map((name) =>
    onEvent(name, (message) => console.log(name, JSON.stringify(message), inspect(message))),
  );
  const writes = { out: process.stdout.write, err: process.stderr.write };
  // Text only: the test runner's own reports (binary frames, which may quote earlier failures) pass through.
  const capture = (original: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') {
        chunks.push(chunk);
        return true;
      }
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = capture(writes.out, process.stdout);
  process.stderr.write = capture(writes.err, process.stderr);
  try {
    await scenario(record);
  } catch (err) {
    record(err);
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    for (const stop of stops) stop();
  }
  assert.ok(channel('rdsiam:token:signed').hasSubscribers === false);
  return chunks.join('\n');
}

function assertClean(text: string, key: TestCredentials, extra: string[] = []): void {
  assert.ok(text.length > 0, 'the scenario produced output to scan');
  assert.doesNotMatch(text, TOKEN_PARTS);
  for (const secret of [key.secretAccessKey, key.sessionToken, ...extra]) {
    if (secret) assert.ok(!text.includes(secret), `a secret leaked: ${secret.slice(0, 4)}…`);
  }
}

for (const server of ['postgres', 'mysql'] as const satisfies readonly Server[]) {
  describe(`leak scan: ${server}`, () => {
    test('success: connect, query, pool, and inspect of every object returned', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey({ kind: 'temporary' });
      const options = testbedOptions(tb, server, countingCredentials(key).provider);
      const token = await getAuthToken(options);
      const text = await captured(async (record) => {
        const client = (await connectFromConfig(options)) as unknown as {
          query(s: string): Promise<unknown>;
          end(): Promise<void>;
        };
        record(client);
        record(await client.query('SELECT 1'));
        await client.end();
        const pool = (await createPoolFromConfig(options)) as unknown as {
          query(s: string): Promise<unknown>;
          end(): Promise<void>;
        };
        await pool.query('SELECT 1');
        record(pool);
        await pool.end();
      });
      assertClean(text, key, [token]);
      assert.match(text, /rdsiam:token:cache-hit/, 'the debug events were printed');
    });

    test('no plugin: the DSN password stays out of the connection, the pool and every error', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const s = tb[server];
      const protocol = server === 'mysql' ? 'mysql' : 'postgres';
      const plain = (password: string) =>
        testbedOptions(tb, server, async () => assert.fail('unused'), {
          plugins: 'none',
          iam_host: undefined,
          dsn: `${protocol}://${s.passwordUser}:${encodeURIComponent(password)}@${s.host}:${s.port}/${s.database}`,
          ssl: { ca: tb.caPem, servername: s.endpoint },
        });
      const wrong = `${s.password}-wrong`;
      const text = await captured(async (record) => {
        const client = (await connectFromConfig(plain(s.password))) as unknown as Closeable;
        record(client);
        await client.end();
        const pool = (await createPoolFromConfig(plain(s.password))) as unknown as Closeable;
        await pool.query('SELECT 1');
        // A pool needs the password for every new connection: it is kept, hidden from the default inspect.
        record(inspect(pool, { depth: 8 }));
        record(JSON.stringify(Object.keys(pool)));
        await pool.end();
        await connectFromConfig(plain(wrong)).catch(record);
      });
      assert.ok(!text.includes(s.password), 'the DSN password leaked');
      assert.ok(!text.includes(wrong), 'the wrong DSN password leaked');
    });

    test('bad credentials: a provider whose error quotes its secret', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const options = testbedOptions(tb, server, async () => {
        throw new Error(`denied: ${key.secretAccessKey} X-Amz-Security-Token=abc`);
      });
      const text = await captured(async (record) => void (await connectFromConfig(options).catch(record)));
      assertClean(text, key);
      assert.match(text, /CredentialsError/);
    });

    test('a refused token (AuthError), the database down, and a TLS mismatch', async (t) => {
      const tb: Testbed | undefined = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const provider = countingCredentials(key).provider;
      const spare = createServer();
      await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
      const closed = (spare.address() as AddressInfo).port;
      await new Promise((resolve) => spare.close(resolve));
      const protocol = server === 'mysql' ? 'mysql' : 'postgres';
      const token = await getAuthToken(testbedOptions(tb, server, provider));
      await tb.verifier.revokeKey(key.accessKeyId);
      const text = await captured(async (record) => {
        await connectFromConfig(testbedOptions(tb, server, provider)).catch(record);
        await connectFromConfig(
          testbedOptions(tb, server, provider, { dsn: `${protocol}://iam_app@127.0.0.1:${closed}/x` }),
        ).catch(record);
        await connectFromConfig(
          testbedOptions(tb, server, provider, { ssl: { ca: tb.caPem, servername: 'wrong.example.com' } }),
        ).catch(record);
      });
      assertClean(text, key, [token]);
      assert.match(text, /AuthError/);
      assert.match(text, /ECONNREFUSED/);
      assert.match(text, /does not match|altnames/);
    });
  });
}
