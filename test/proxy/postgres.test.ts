// `rdsiam proxy` for PostgreSQL against the test bed: real clients (psql, pg_dump, pg, postgres.js) through a real
// proxy process, cancel, clients that vanish mid-query, 200 at once, refusals, limits, health checks, token rotation.
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import postgres from 'postgres';
import { TOKEN_TEXT, inProcess } from '../support/cli.js';
import { run } from '../support/run.js';
import { tempDir } from '../support/temp-dir.js';
import { testbedEnv } from '../support/testbed-config.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';
import { assertTokensRotate, freePort, httpGet, startProxy, type ProxyProcess, until } from './proxy-support.js';

const LISTEN = ['--listen', '127.0.0.1:0'];

async function proxyFor(
  t: { after(fn: () => Promise<unknown>): void },
  tb: Testbed,
  argv: string[] = [],
  extra: Record<string, string> = {},
): Promise<ProxyProcess> {
  const key = await tb.newKey();
  const proxy = await startProxy([...LISTEN, '--json', ...argv], testbedEnv(tb, 'postgres', key, extra));
  t.after(() => proxy.stop());
  return proxy;
}

function psql(tb: Testbed, port: number, args: string[], env: Record<string, string> = {}) {
  return run('psql', ['-X', '-tA', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      PGHOST: '127.0.0.1',
      PGPORT: String(port),
      PGUSER: tb.postgres.iamUser,
      PGDATABASE: tb.postgres.database,
      ...env,
    },
  });
}

function pgClient(tb: Testbed, port: number, extra: pg.ClientConfig = {}): pg.Client {
  return new pg.Client({
    host: '127.0.0.1',
    port,
    user: tb.postgres.iamUser,
    database: tb.postgres.database,
    password: 'anything',
    ...extra,
  });
}

describe('rdsiam proxy: usage', () => {
  test('a listener other machines can reach needs a local password and TLS: exit 2 before anything is signed', async () => {
    const env = { RDSIAM_DSN: 'postgres://app@db.example.com/app', RDSIAM_PLUGINS: 'iam' };
    const open = await inProcess(['proxy', '--listen', '0.0.0.0:5432'], env);
    assert.equal(open.code, 2);
    assert.match(open.err, /reachable from other machines.*missing: a password and TLS/);
    const dir = tempDir('rdsiam-proxy-');
    await writeFile(join(dir, 'pw'), 'secret\n');
    const noTls = await inProcess(['proxy', '--listen', '[::]:0', '--password-file', join(dir, 'pw')], env);
    assert.equal(noTls.code, 2);
    assert.match(noTls.err, /missing: TLS/);
    for (const [argv, problem] of [
      [['--listen', 'localhost'], /--listen takes HOST:PORT/],
      [['--tls-cert', join(dir, 'pw')], /--tls-cert and --tls-key go together/],
      [['--all', '--connection', 'x'], /not both/],
      [['--max-connections', 'many'], /whole number/],
    ] as const) {
      const r = await inProcess(['proxy', ...argv], env);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, problem);
    }
    const help = await inProcess(['proxy', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /--max-sigterm-delay-s/);
  });

  test("RDSIAM_PROXY_PASSWORD is the proxy's variable, not an unknown setting", async () => {
    const r = await inProcess(['check'], {
      RDSIAM_DSN: 'postgres://app@db.example.com/app',
      RDSIAM_PLUGINS: 'none',
      RDSIAM_PROXY_PASSWORD: 'x',
    });
    assert.doesNotMatch(r.err, /RDSIAM_PROXY_PASSWORD/);
  });
});

describe('rdsiam proxy for PostgreSQL against the test bed', () => {
  test('psql, pg_dump, pg and postgres.js sign in through it; upstream is verified TLS; no token anywhere', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const proxy = await proxyFor(t, tb);
    assert.match(
      proxy.ready[0]!,
      new RegExp(
        `^rdsiam proxy: listening on 127\\.0\\.0\\.1:\\d+ -> ${tb.postgres.endpoint.replace(/\./g, '\\.')}:${tb.postgres.port} \\(postgres, user iam_app\\)$`,
      ),
    );
    const who = await psql(
      tb,
      proxy.port,
      [
        '-c',
        "select current_user, ssl, current_setting('application_name') from pg_stat_ssl where pid = pg_backend_pid()",
      ],
      { PGAPPNAME: 'through-proxy' },
    );
    assert.equal(who.code, 0, who.err);
    assert.equal(who.out.trim(), 'iam_app|t|through-proxy');

    const dump = await run(
      'pg_dump',
      ['--schema-only', '-h', '127.0.0.1', '-p', String(proxy.port), '-U', 'iam_app', tb.postgres.database],
      {
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    assert.equal(dump.code, 0, dump.err);
    assert.match(dump.out, /PostgreSQL database dump complete/);

    const client = pgClient(tb, proxy.port);
    await client.connect();
    const { rows } = await client.query('select $1::int + 1 as n', [41]);
    assert.equal(rows[0].n, 42);
    await client.end();

    const sql = postgres({
      host: '127.0.0.1',
      port: proxy.port,
      user: 'iam_app',
      database: tb.postgres.database,
      max: 2,
    });
    const [row] = await sql`select current_user as u`;
    assert.equal(row?.u, 'iam_app');
    await sql.end();

    const events = proxy.events();
    assert.ok(events.filter((e) => e.event === 'upstream-open').length >= 4);
    for (const e of events) {
      assert.equal(e.connection, 'default');
      assert.match(String(e.time), /^\d{4}-\d\d-\d\dT/);
    }
    assert.equal(await proxy.stop(), 0);
    assert.doesNotMatch(proxy.stderr() + proxy.ready.join(''), TOKEN_TEXT);
  });

  test('a cancel through the proxy ends a pg_sleep; a client that goes mid-query frees its backend', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const proxy = await proxyFor(t, tb);
    const client = pgClient(tb, proxy.port);
    await client.connect();
    const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
    const sleeping = client.query('select pg_sleep(60)');
    await new Promise((r) => setTimeout(r, 300));
    const cancel = netConnect({ host: '127.0.0.1', port: proxy.port });
    cancel.end(serialize.cancel(processID, secretKey));
    await assert.rejects(sleeping, (err: { code?: string }) => err.code === '57014');
    await client.end();

    const name = `gone-${process.pid}`;
    const watcher = pgClient(tb, proxy.port);
    await watcher.connect();
    const leaving = pgClient(tb, proxy.port, { application_name: name });
    leaving.on('error', () => {});
    await leaving.connect();
    leaving.query('select pg_sleep(120)').catch(() => {});
    const active = () =>
      watcher.query('select count(*)::int as n from pg_stat_activity where application_name = $1', [name]);
    await until('the sleeping backend', async () => ((await active()).rows[0].n === 1 ? true : undefined));
    (leaving as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await until('the backend to go', async () => ((await active()).rows[0].n === 0 ? true : undefined));
    await watcher.end();
  });

  test('200 clients at once', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const proxy = await proxyFor(t, tb);
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const client = pgClient(tb, proxy.port);
        await client.connect();
        try {
          return (await client.query('select $1::int as i', [i])).rows[0].i as number;
        } finally {
          await client.end();
        }
      }),
    );
    assert.deepEqual(
      results,
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.equal(proxy.events().filter((e) => e.event === 'upstream-open').length, 200);
  });

  test('refused: a wrong user, replication, a wrong local password; the right one passes (SCRAM)', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const dir = tempDir('rdsiam-proxy-');
    await writeFile(join(dir, 'pw'), 'local-Secret-1\n', { mode: 0o600 });
    const proxy = await proxyFor(t, tb, ['--password-file', join(dir, 'pw')]);
    const wrongUser = await psql(tb, proxy.port, ['-c', 'select 1'], {
      PGUSER: 'postgres',
      PGPASSWORD: 'local-Secret-1',
    });
    assert.notEqual(wrongUser.code, 0);
    assert.match(wrongUser.err, /signs in as "iam_app" only/);
    const replication = await psql(tb, proxy.port, ['-d', `dbname=${tb.postgres.database} replication=database`], {
      PGPASSWORD: 'local-Secret-1',
    });
    assert.notEqual(replication.code, 0);
    assert.match(replication.err, /does not serve replication connections/);
    const wrong = await psql(tb, proxy.port, ['-c', 'select 1'], { PGPASSWORD: 'nope' });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.err, /password authentication failed for user "iam_app"/);
    const none = await psql(tb, proxy.port, ['-w', '-c', 'select 1']);
    assert.notEqual(none.code, 0);
    const right = await psql(tb, proxy.port, ['-c', 'select 1'], { PGPASSWORD: 'local-Secret-1' });
    assert.equal(right.code, 0, right.err);
    const client = pgClient(tb, proxy.port, { password: 'local-Secret-1' });
    await client.connect();
    await client.end();
    const refused = proxy.events().filter((e) => e.event === 'refused');
    assert.deepEqual(
      refused.map((e) => e.code),
      ['28000', '0A000', '28P01'],
    );
  });

  test('the database refusing the token reaches the client as 28P01 with the doctor hint, never the token', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const proxy = await startProxy([...LISTEN, '--json'], testbedEnv(tb, 'postgres', key));
    t.after(() => proxy.stop());
    await tb.verifier.revokeKey(key.accessKeyId);
    const client = pgClient(tb, proxy.port);
    await assert.rejects(client.connect(), (err: { code?: string; message: string; hint?: string }) => {
      assert.equal(err.code, '28P01');
      assert.match(err.message, /refused a freshly signed IAM token for user "iam_app"/);
      assert.match(err.hint ?? '', /npx rdsiam doctor/);
      assert.doesNotMatch(err.message, TOKEN_TEXT);
      return true;
    });
    assert.doesNotMatch(proxy.stderr(), TOKEN_TEXT);
  });

  test('--max-connections turns the next client away with 53300; --health-check answers; a Unix socket serves psql', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const health = await freePort();
    const sockets = join(tempDir('rdsiam-proxy-'), 'sock');
    const key = await tb.newKey();
    const env = testbedEnv(tb, 'postgres', key);
    const proxy = await startProxy([...LISTEN, '--max-connections', '1', '--health-check', `127.0.0.1:${health}`], env);
    t.after(() => proxy.stop());
    const first = pgClient(tb, proxy.port);
    await first.connect();
    await assert.rejects(pgClient(tb, proxy.port).connect(), (err: { code?: string }) => err.code === '53300');
    await first.end();
    const second = pgClient(tb, proxy.port);
    await second.connect();
    await second.end();
    for (const path of ['/startup', '/liveness', '/readiness']) {
      assert.deepEqual(await httpGet(health, path), { status: 200, body: 'ok\n' }, path);
    }
    await tb.verifier.revokeKey(key.accessKeyId);
    const notReady = await httpGet(health, '/readiness');
    assert.equal(notReady.status, 503);
    assert.match(notReady.body, /refused a freshly signed IAM token/);

    const onSocket = await startProxy(['--unix-socket', sockets], testbedEnv(tb, 'postgres', await tb.newKey()));
    t.after(() => onSocket.stop());
    const r = await psql(tb, 0, ['-c', 'select current_user'], { PGHOST: sockets, PGPORT: String(tb.postgres.port) });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), 'iam_app');
  });

  test('tokens rotate: a client after the token lifetime gets a freshly signed one (in-process, clock moved)', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    await assertTokensRotate(t, tb, 'postgres', async (port) => {
      const client = pgClient(tb, port);
      await client.connect();
      await client.end();
    });
  });
});
