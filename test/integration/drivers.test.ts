// connectFromConfig and pools against the real test bed: PostgreSQL and MariaDB behind a SigV4-checking PAM verifier.
import assert from 'node:assert/strict';
import { createServer, type Server as NetServer } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import mysql from 'mysql2/promise';
import {
  AuthError,
  connectFromConfig,
  connectMysql,
  connectPg,
  createPoolFromConfig,
  mysqlPoolOptionsFromConfig,
  pgPoolOptionsFromConfig,
} from '../../src/index.js';
import { NO_AWS_ENV, withEnv } from '../support/env.js';
import { wrapDb } from '../support/db.js';
import { requireTestbed } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { collect } from '../support/events.js';
import { testbedOptions, testbedReader, type Server } from '../support/testbed-config.js';
import { SdkTokenSigner, type TokenSigner } from '../../src/token/signers.js';

const CURRENT_USER: Record<Server, string> = {
  postgres: 'SELECT current_user AS who',
  dsql: 'SELECT current_user AS who',
  mysql: 'SELECT SUBSTRING_INDEX(CURRENT_USER(), "@", 1) AS who',
};

for (const server of ['postgres', 'mysql'] as const) {
  describe(`drivers: ${server}`, () => {
    test('connectFromConfig connects over verified TLS with an IAM token and queries', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const creds = countingCredentials(key);
      const signed = collect('rdsiam:token:signed');
      const db = wrapDb(await connectFromConfig(testbedOptions(tb, server, creds.provider)));
      try {
        assert.deepEqual(await db.one(CURRENT_USER[server]), { who: tb[server].iamUser });
        const tls = await db.one(
          server === 'mysql'
            ? "SHOW STATUS LIKE 'Ssl_version'"
            : 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
        );
        assert.ok(
          server === 'mysql' ? /TLS/.test(String((tls as { Value: string }).Value)) : (tls as { ssl: boolean }).ssl,
        );
      } finally {
        await db.close();
        signed.stop();
      }
      const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
      assert.equal(logins.length, 1);
      assert.equal(logins[0]?.verdict, 'ok');
      assert.equal(signed.events.length, 1);
      assert.equal(creds.calls(), 1);
    });

    test('a connect and a pool start loading the signer while the socket connects, before the server asks for the token', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const steps: string[] = [];
      const sdk = new SdkTokenSigner(countingCredentials(await tb.newKey()).provider);
      const signer: TokenSigner = {
        warm: (plugin) => {
          steps.push('warm');
          sdk.warm(plugin);
        },
        sign: (target, lifetime) => {
          steps.push('sign');
          return sdk.sign(target, lifetime);
        },
      };
      const options = async () => ({
        ...testbedOptions(tb!, server, countingCredentials(await tb!.newKey()).provider),
        signer,
      });
      await wrapDb(await connectFromConfig(await options())).close();
      assert.deepEqual(steps, ['warm', 'sign']);
      steps.length = 0;
      // Other credentials: the pool's first connection cannot reuse the token just signed.
      const pool = wrapDb(await createPoolFromConfig(await options()));
      await pool.one('SELECT 1 AS one');
      await pool.close();
      assert.deepEqual(steps, ['warm', 'sign']);
    });

    test("the typed entry point gives the engine's own client, and refuses the other engine", async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const creds = countingCredentials(await tb.newKey());
      const options = testbedOptions(tb, server, creds.provider);
      const db = server === 'mysql' ? await connectMysql(options) : await connectPg(options);
      await db.end();
      await assert.rejects(() => (server === 'mysql' ? connectPg(options) : connectMysql(options)), {
        name: 'ConfigError',
        message: /needs a (postgres|mysql):\/\/ DSN/,
      });
    });

    test('a pool of 10 keeps working across three token lifetimes', { timeout: 60_000 }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      // The verifier refuses tokens over 4 s old; the cache serves one for at most 2 s; connections idle
      // out between bursts, so each burst opens new physical connections that need a current token.
      const key = await tb.newKey({ maxTokenAgeSeconds: 4 });
      const creds = countingCredentials(key);
      const signed = collect('rdsiam:token:signed');
      const retries = collect('rdsiam:connect:retry');
      const pool = wrapDb(
        await createPoolFromConfig(
          testbedOptions(tb, server, creds.provider, { iam_expiration: 2, pool: { max: 10, idle_timeout_ms: 200 } }),
        ),
      );
      let failed = 0;
      let ok = 0;
      // A fixed number of bursts (at least 7.5 s of pauses), so a slow machine runs longer rather than fewer queries.
      const BURSTS = 15;
      try {
        for (let burst = 0; burst < BURSTS; burst++) {
          const results = await Promise.allSettled(Array.from({ length: 10 }, () => pool.one('SELECT 1 AS one')));
          for (const r of results) r.status === 'fulfilled' ? ok++ : failed++;
          await sleep(500);
        }
      } finally {
        await pool.close();
        signed.stop();
        retries.stop();
      }
      assert.equal(failed, 0);
      assert.equal(ok, BURSTS * 10);
      assert.ok(
        signed.events.length >= 3,
        `${signed.events.length} tokens signed over at least 7.5 s of 2 s lifetimes`,
      );
      assert.equal(retries.events.length, 0, 'no token was served past its lifetime');
      const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
      assert.ok(logins.length > 10, `${logins.length} physical connections`);
      assert.ok(
        logins.every((l) => l.verdict === 'ok'),
        'the verifier refused no login',
      );
      assert.equal(creds.calls(), 1);
    });

    test('200 concurrent connects on a cold cache sign one token with one credential fetch', {
      timeout: 120_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const creds = countingCredentials(key);
      const signed = collect('rdsiam:token:signed');
      const options = testbedOptions(tb, server, creds.provider);
      const results = await Promise.allSettled(Array.from({ length: 200 }, () => connectFromConfig(options)));
      signed.stop();
      await Promise.all(results.map((r) => (r.status === 'fulfilled' ? wrapDb(r.value).close() : undefined)));
      const rejected = results.filter((r) => r.status === 'rejected');
      assert.deepEqual(rejected, []);
      assert.equal(signed.events.length, 1);
      assert.equal(creds.calls(), 1);
      const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
      assert.equal(logins.filter((l) => l.verdict === 'ok').length, 200);
    });

    test('a cached token the verifier stops accepting is replaced once, and the connect succeeds', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const creds = countingCredentials(key);
      const options = testbedOptions(tb, server, creds.provider);
      await wrapDb(await connectFromConfig(options)).close();
      await sleep(2_100);
      // Revoke every token of this key older than one second: the cached one is now refused.
      await tb.verifier.addKey({ ...key, maxTokenAgeSeconds: 1 });
      const retries = collect('rdsiam:connect:retry');
      const db = wrapDb(await connectFromConfig(options));
      retries.stop();
      await db.close();
      assert.equal(retries.events.length, 1);
      const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
      assert.deepEqual(
        logins.map((l) => l.verdict === 'ok'),
        [true, false, true],
      );
    });

    test('a pool whose cached token is refused on a new connection retries once and serves the query', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const options = testbedOptions(tb, server, countingCredentials(key).provider);
      await wrapDb(await connectFromConfig(options)).close();
      await sleep(2_100);
      await tb.verifier.addKey({ ...key, maxTokenAgeSeconds: 1 });
      const retries = collect('rdsiam:connect:retry');
      const pool = wrapDb(await createPoolFromConfig(options));
      try {
        assert.deepEqual(await pool.one('SELECT 1 AS one'), { one: 1 });
      } finally {
        retries.stop();
        await pool.close();
      }
      assert.equal(retries.events.length, 1);
      assert.match(retries.events[0]?.fingerprint ?? '', /^[0-9a-f]+$/i);
    });

    test('a fresh token refused is an AuthError naming the usual causes, after exactly one retry', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const creds = countingCredentials(key);
      const options = testbedOptions(tb, server, creds.provider);
      await wrapDb(await connectFromConfig(options)).close();
      await tb.verifier.revokeKey(key.accessKeyId);
      const err = await connectFromConfig(options).then(
        () => assert.fail('connected with a revoked key'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof AuthError, String(err));
      assert.match(err.message, /refused a freshly signed IAM token for user "iam_app"/);
      assert.match(err.message, /IAM database authentication is not enabled/);
      assert.match(err.message, /rds-db:connect/);
      assert.match(err.message, server === 'mysql' ? /AWSAuthenticationPlugin/ : /GRANT rds_iam/);
      assert.match(err.message, /\nRun `npx rdsiam doctor` to find which\.$/);
      assert.doesNotMatch(`${err.message}\n${err.stack}\n${String(err.cause)}`, /X-Amz-Signature|X-Amz-Credential=/);
      const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
      // One success, then the cached token and one fresh token: no loop.
      assert.deepEqual(
        logins.map((l) => l.verdict === 'ok'),
        [true, false, false],
      );
    });

    for (const [what, overrides] of [
      ['a CA that did not sign the server certificate', { ssl: { mode: 'verify-full' } }],
      [
        'a hostname the certificate does not name',
        { iam_host: `elsewhere.cluster-abc123example.us-east-1.rds.amazonaws.com` },
      ],
    ] as const) {
      test(`TLS with ${what} is refused before any token exists`, async (t) => {
        const tb = await requireTestbed(t);
        if (!tb) return;
        const key = await tb.newKey();
        const creds = countingCredentials(key);
        const signed = collect('rdsiam:token:signed');
        const options = testbedOptions(tb, server, creds.provider, overrides);
        await assert.rejects(
          () => connectFromConfig(options),
          (err: Error) => {
            assert.ok(!(err instanceof AuthError), 'a TLS failure is not an auth failure');
            assert.match(err.message, /certificate|self[- ]signed|Hostname\/IP does not match|altnames/i);
            return true;
          },
        );
        signed.stop();
        assert.equal(signed.events.length, 0, 'no token was signed');
        assert.deepEqual(await tb.verifier.logins({ accessKeyId: key.accessKeyId }), []);
      });
    }

    test('verify-ca checks the chain but not the name; verify-full refuses the same wrong name', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const creds = countingCredentials(await tb.newKey());
      const wrongName = { ca: tb.caPem, servername: 'not-the-endpoint.example.com' };
      const db = wrapDb(
        await connectFromConfig(
          testbedOptions(tb, server, creds.provider, { ssl: { ...wrongName, mode: 'verify-ca' } }),
        ),
      );
      await db.close();
      await assert.rejects(
        () =>
          connectFromConfig(
            testbedOptions(tb!, server, creds.provider, { ssl: { ...wrongName, mode: 'verify-full' } }),
          ),
        /Hostname\/IP does not match|altnames/,
      );
    });

    test('without plugins the DSN password is used, still over verified TLS', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const s = tb[server];
      const options = testbedOptions(tb, server, async () => assert.fail('no credentials are needed'), {
        plugins: 'none',
        dsn: `${server === 'mysql' ? 'mysql' : 'postgres'}://${s.passwordUser}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/${s.database}`,
        ssl: { ca: tb.caPem, servername: s.endpoint },
        iam_host: undefined,
      });
      const db = wrapDb(await connectFromConfig(options));
      try {
        assert.deepEqual(await db.one(CURRENT_USER[server]), { who: s.passwordUser });
      } finally {
        await db.close();
      }
    });

    test('the plain pool options build a working pool outside rdsiam (the ORM path)', async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const creds = countingCredentials(key);
      const options = testbedOptions(tb, server, creds.provider, { pool: { max: 3 } });
      const pool =
        server === 'mysql'
          ? mysql.createPool(await mysqlPoolOptionsFromConfig(options))
          : new pg.Pool(await pgPoolOptionsFromConfig(options));
      const db = wrapDb(pool);
      try {
        const rows = await Promise.all([1, 2, 3].map(() => db.one(CURRENT_USER[server])));
        assert.deepEqual(
          rows,
          [1, 2, 3].map(() => ({ who: tb?.[server].iamUser })),
        );
      } finally {
        await db.close();
      }
      const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
      assert.equal(logins.length, 3);
    });

    test('a server that never answers fails within connect_timeout_ms when retries are off, with no token sent', {
      timeout: 20_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const held: import('node:net').Socket[] = [];
      const silent: NetServer = createServer((socket) => void held.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as import('node:net').AddressInfo).port;
      try {
        const key = await tb.newKey();
        const protocol = server === 'mysql' ? 'mysql' : 'postgres';
        const options = testbedOptions(tb, server, countingCredentials(key).provider, {
          dsn: `${protocol}://iam_app@127.0.0.1:${port}/x`,
          connect_timeout_ms: 300,
          connect_retry_budget_ms: 0,
        });
        const signed = collect('rdsiam:token:signed');
        await assert.rejects(() => connectFromConfig(options), /timeout|timed out|ETIMEDOUT/i);
        signed.stop();
        assert.equal(signed.events.length, 0, 'no token before the server asks for one');
      } finally {
        for (const s of held) s.destroy();
        silent.close();
      }
    });
  });
}

describe('drivers: env credentials, named connections and DSQL', () => {
  test('temporary credentials from AWS_* env vars (with AWS_SESSION_TOKEN) log in end to end, both engines', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const bed = tb;
    const key = await bed.newKey({ kind: 'temporary' });
    assert.ok(key.sessionToken);
    const who = await withEnv(
      {
        ...NO_AWS_ENV,
        AWS_ACCESS_KEY_ID: key.accessKeyId,
        AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
        AWS_SESSION_TOKEN: key.sessionToken,
      },
      () =>
        Promise.all(
          (['postgres', 'mysql'] as const).map(async (server) => {
            // No injected provider: the SDK's own env provider reads the variables.
            const { credentials: _injected, ...options } = testbedOptions(bed, server, async () => key, {
              aws_credentials_source: 'env',
            });
            const db = wrapDb(await connectFromConfig(options));
            try {
              return await db.one(CURRENT_USER[server]);
            } finally {
              await db.close();
            }
          }),
        ),
    );
    assert.deepEqual(who, [{ who: bed.postgres.iamUser }, { who: bed.mysql.iamUser }]);
    const logins = await bed.verifier.logins({ accessKeyId: key.accessKeyId });
    assert.deepEqual(
      logins.map((l) => l.verdict),
      ['ok', 'ok'],
    );
  });

  test('a named reader connection signs for the cluster-ro endpoint as its own user', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const pgFacts = tb.postgres;
    const options = testbedOptions(tb, 'postgres', countingCredentials(key).provider, {
      connections: { reader: testbedReader(tb) },
    });
    const db = wrapDb(await connectFromConfig({ ...options, connection: 'reader' }));
    try {
      assert.deepEqual(await db.one(CURRENT_USER.postgres), { who: pgFacts.readerUser });
    } finally {
      await db.close();
    }
    const [login] = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
    assert.equal(login?.verdict, 'ok');
    assert.equal(login?.user, pgFacts.readerUser);
  });

  for (const role of ['admin', 'role'] as const) {
    test(`DSQL ${role} token (${role === 'admin' ? 'DbConnectAdmin' : 'DbConnect'}) logs in, database defaulting to postgres`, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const d = tb.dsql;
      const user = role === 'admin' ? d.adminUser : d.roleUser;
      const options = testbedOptions(tb, 'dsql', countingCredentials(key).provider, {
        dsn: `postgres://${user}@${d.host}:${d.port}`,
      });
      const db = wrapDb(await connectPg(options));
      try {
        assert.deepEqual(await db.one('SELECT current_user AS who, current_database() AS db'), {
          who: user,
          db: 'postgres',
        });
      } finally {
        await db.close();
      }
      const [login] = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
      // The verifier demands DbConnectAdmin for admin and DbConnect for any other user.
      assert.equal(login?.verdict, 'ok');
    });
  }
});
