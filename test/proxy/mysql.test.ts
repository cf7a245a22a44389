// `rdsiam proxy` for MySQL against the test bed (MariaDB with PAM, which asks for mysql_clear_password): real
// clients (mariadb, mariadb-dump, mysql2) through a real proxy process, refusals, limits, 50 clients at once.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { TOKEN_TEXT } from '../support/cli.js';
import { run } from '../support/run.js';
import { tempDir } from '../support/temp-dir.js';
import { testbedEnv } from '../support/testbed-config.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';
import { assertTokensRotate, freePort, httpGet, startProxy, type ProxyProcess, until } from './proxy-support.js';

async function proxyFor(
  t: { after(fn: () => Promise<unknown>): void },
  tb: Testbed,
  argv: string[] = [],
): Promise<ProxyProcess & { key: Awaited<ReturnType<Testbed['newKey']>> }> {
  const key = await tb.newKey();
  const proxy = await startProxy(['--listen', '127.0.0.1:0', '--json', ...argv], testbedEnv(tb, 'mysql', key));
  t.after(() => proxy.stop());
  return Object.assign(proxy, { key });
}

/** The mariadb command-line client (or mariadb-dump) on the proxy's port, with no option file. */
function mariadb(port: number, args: string[], command = 'mariadb') {
  return run(command, ['--no-defaults', '--protocol=TCP', '-h', '127.0.0.1', '-P', String(port), ...args], {
    env: { PATH: process.env.PATH ?? '' },
  });
}

/** Waits (up to 5 s) until the proxy has written `n` events of a kind; the assertions then say what is missing. */
async function eventCount(proxy: ProxyProcess, event: string, n: number): Promise<void> {
  for (let i = 0; i < 100 && proxy.events().filter((e) => e.event === event).length < n; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

function connection(tb: Testbed, port: number, extra: mysql.ConnectionOptions = {}) {
  return mysql.createConnection({
    host: '127.0.0.1',
    port,
    user: tb.mysql.iamUser,
    database: tb.mysql.database,
    flags: ['+LOCAL_FILES'],
    ...extra,
  });
}

const CLIENTS = 200;

describe('rdsiam proxy for MySQL against the test bed', () => {
  test('mariadb, mariadb-dump and mysql2 (connection and pool) sign in through it over verified TLS; no token anywhere', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const proxy = await proxyFor(t, tb);
    assert.match(
      proxy.ready[0]!,
      new RegExp(
        `^rdsiam proxy: listening on 127\\.0\\.0\\.1:\\d+ -> ${tb.mysql.endpoint.replace(/\./g, '\\.')}:${tb.mysql.port} \\(mysql, user ${tb.mysql.iamUser}\\)$`,
      ),
    );
    const query = "select current_user(), database(); show session status like 'Ssl_cipher'";
    const cli = await mariadb(proxy.port, ['-u', tb.mysql.iamUser, '-N', '-e', query]);
    assert.equal(cli.code, 0, cli.err);
    const [who, cipher] = cli.out.trim().split('\n');
    assert.equal(who, `${tb.mysql.iamUser}@%\t${tb.mysql.database}`, 'the DSN database when the client names none');
    assert.match(cipher!, /^Ssl_cipher\t\S+/, 'the upstream connection is TLS');

    const dump = await mariadb(proxy.port, ['-u', tb.mysql.iamUser, '--no-data', tb.mysql.database], 'mariadb-dump');
    assert.equal(dump.code, 0, dump.err);
    assert.match(dump.out, /^-- MariaDB dump/m);

    const conn = await connection(tb, proxy.port, { password: 'anything' });
    const [rows] = await conn.execute('select ? + 1 as n, connection_id() as id', [41]);
    const row = (rows as { n: number; id: number }[])[0]!;
    assert.equal(Number(row.n), 42);
    assert.equal(row.id, conn.threadId, 'the client is told the database connection id (for KILL QUERY)');
    await conn.end();

    const pool = mysql.createPool({
      host: '127.0.0.1',
      port: proxy.port,
      user: tb.mysql.iamUser,
      database: tb.mysql.database,
      connectionLimit: 3,
    });
    const counts = await Promise.all([1, 2, 3, 4, 5].map(async (i) => (await pool.query('select ? as i', [i]))[0]));
    assert.deepEqual(
      counts.map((r) => (r as { i: number }[])[0]!.i),
      [1, 2, 3, 4, 5],
    );
    await pool.end();

    const logins = await tb.verifier.logins({ accessKeyId: proxy.key.accessKeyId });
    assert.ok(logins.length >= 5 && logins.every((l) => l.verdict === 'ok'), JSON.stringify(logins));
    await eventCount(proxy, 'upstream-open', 5);
    assert.ok(proxy.events().filter((e) => e.event === 'upstream-open').length >= 5);
    assert.equal(await proxy.stop(), 0);
    assert.doesNotMatch(proxy.stderr() + proxy.ready.join('') + cli.out + cli.err + dump.err, TOKEN_TEXT);
  });

  test('COM_CHANGE_USER gets an error packet and the session goes on; a LOAD DATA LOCAL upload passes whole', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const proxy = await proxyFor(t, tb);
    const conn = await connection(tb, proxy.port);
    await assert.rejects(conn.changeUser({ user: 'root' }), (err: { errno?: number; message: string }) => {
      assert.equal(err.errno, 1235);
      assert.match(err.message, /does not serve COM_CHANGE_USER/);
      return true;
    });
    const [who] = await conn.query('select current_user() as u');
    assert.equal((who as { u: string }[])[0]!.u, `${tb.mysql.iamUser}@%`);

    // 600 packets, each starting with 0x11 (COM_CHANGE_USER's id): their sequence ids wrap through 0 twice.
    await conn.query('create temporary table upload (line varchar(20))');
    const lines = Array.from({ length: 600 }, (_, i) => `\x11line ${i}\n`);
    const [loaded] = await conn.query({
      sql: "load data local infile 'lines' into table upload",
      infileStreamFactory: () => Readable.from(lines.map((l) => Buffer.from(l))),
    } as mysql.QueryOptions);
    assert.equal((loaded as { affectedRows: number }).affectedRows, 600);
    const [count] = await conn.query('select count(*) as n from upload');
    assert.equal(Number((count as { n: number }[])[0]!.n), 600);
    await conn.end();
    await eventCount(proxy, 'refused', 1);
    assert.deepEqual(
      proxy
        .events()
        .filter((e) => e.event === 'refused')
        .map((e) => e.code),
      ['1235'],
    );
  });

  test('a client that goes mid-query has its database connection killed: SLEEP(30) stops and the thread ends', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const proxy = await proxyFor(t, tb);
    const watcher = await connection(tb, proxy.port);
    const sleep = `select sleep(30) as gone_${process.pid}`;
    const threads = async () => {
      const [rows] = await watcher.query('select id from information_schema.processlist where info = ?', [sleep]);
      return (rows as { id: number }[]).map((r) => Number(r.id));
    };
    const leaving = await connection(tb, proxy.port);
    leaving.on('error', () => {});
    leaving.query(sleep).catch(() => {});
    const [id] = await until('the sleeping query', async () =>
      (await threads()).length === 1 ? threads() : undefined,
    );
    assert.equal(id, leaving.threadId);
    (leaving as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    // Closing its upstream socket alone would leave the thread sleeping for the full 30 s, past this wait.
    await until('the thread to end', async () => {
      const [rows] = await watcher.query('select count(*) as n from information_schema.processlist where id = ?', [id]);
      return Number((rows as { n: number }[])[0]!.n) === 0 ? true : undefined;
    });
    await watcher.end();
  });

  test('200 clients at once', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const proxy = await proxyFor(t, tb);
    const results = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const conn = await connection(tb, proxy.port);
        try {
          const [rows] = await conn.query('select ? as i', [i]);
          return (rows as { i: number }[])[0]!.i;
        } finally {
          await conn.end();
        }
      }),
    );
    assert.deepEqual(
      results,
      Array.from({ length: CLIENTS }, (_, i) => i),
    );
    await eventCount(proxy, 'upstream-open', CLIENTS);
    assert.equal(proxy.events().filter((e) => e.event === 'upstream-open').length, CLIENTS);
  });

  test('refused: a wrong user and a wrong local password (1045); the right one passes, by caching_sha2_password or mysql_native_password', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const dir = tempDir('rdsiam-proxy-');
    await writeFile(join(dir, 'pw'), 'local-Secret-1\n', { mode: 0o600 });
    const proxy = await proxyFor(t, tb, ['--password-file', join(dir, 'pw')]);
    const wrongUser = await mariadb(proxy.port, ['-u', 'root', '-plocal-Secret-1', '-e', 'select 1']);
    assert.notEqual(wrongUser.code, 0);
    assert.match(wrongUser.err, /ERROR 1045 .*signs in as 'iam_app' only/);
    // The greeting offers caching_sha2_password; a client that picks mysql_native_password is switched to it.
    for (const plugin of ['caching_sha2_password', 'mysql_native_password']) {
      const as = ['-u', tb.mysql.iamUser, `--default-auth=${plugin}`];
      const wrong = await mariadb(proxy.port, [...as, '-pnope', '-e', 'select 1']);
      assert.notEqual(wrong.code, 0, plugin);
      assert.match(wrong.err, /ERROR 1045 .*Access denied for user 'iam_app' \(using password: YES\)/, plugin);
      const right = await mariadb(proxy.port, [...as, '-plocal-Secret-1', '-N', '-e', 'select 7']);
      assert.equal(right.code, 0, `${plugin}: ${right.err}`);
      assert.equal(right.out.trim(), '7');
    }
    const none = await mariadb(proxy.port, ['-u', tb.mysql.iamUser, '-e', 'select 1']);
    assert.match(none.err, /using password: NO/);
    // mysql2 answers the greeting's caching_sha2_password at once: a 32-byte SHA-256 scramble.
    const conn = await connection(tb, proxy.port, { password: 'local-Secret-1' });
    await conn.end();
    await assert.rejects(connection(tb, proxy.port, { password: 'nope' }), { errno: 1045 });
    // The event lines come on the proxy's stderr, which may trail the answers on the sockets.
    await eventCount(proxy, 'refused', 5);
    const refused = proxy.events().filter((e) => e.event === 'refused');
    assert.deepEqual(
      refused.map((e) => e.code),
      ['1045', '1045', '1045', '1045', '1045'],
    );
    const logins = await tb.verifier.logins({ accessKeyId: proxy.key.accessKeyId });
    assert.equal(logins.length, 3, 'only the clients that knew the local password got an upstream login');
  });

  test('the database refusing the token reaches the client as 1045 with the doctor hint, never the token', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const proxy = await proxyFor(t, tb);
    await tb.verifier.revokeKey(proxy.key.accessKeyId);
    await assert.rejects(connection(tb, proxy.port), (err: { errno?: number; sqlState?: string; message: string }) => {
      assert.equal(err.errno, 1045);
      assert.equal(err.sqlState, '28000');
      assert.match(err.message, /refused a freshly signed IAM token for user "iam_app".*npx rdsiam doctor/);
      assert.doesNotMatch(err.message, TOKEN_TEXT);
      return true;
    });
    const cli = await mariadb(proxy.port, ['-u', tb.mysql.iamUser, '-e', 'select 1']);
    assert.match(cli.err, /ERROR 1045 .*npx rdsiam doctor/, 'the hint survives the client cutting long messages');
    assert.doesNotMatch(proxy.stderr() + cli.err, TOKEN_TEXT);
  });

  test('a cached token the database stops accepting is replaced once, on a new upstream connection, and the client gets in', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const proxy = await proxyFor(t, tb);
    await (await connection(tb, proxy.port)).end();
    await new Promise((r) => setTimeout(r, 2_100));
    // Every token of this key older than one second is refused now: the proxy's cached one among them.
    await tb.verifier.addKey({ ...proxy.key, maxTokenAgeSeconds: 1 });
    const conn = await connection(tb, proxy.port);
    const [rows] = await conn.query('select 1 as one');
    assert.equal((rows as { one: number }[])[0]!.one, 1);
    await conn.end();
    const logins = await tb.verifier.logins({ accessKeyId: proxy.key.accessKeyId });
    assert.deepEqual(
      logins.map((l) => l.verdict),
      ['ok', 'too-old', 'ok'],
    );
  });

  test('tokens rotate: a client after the token lifetime gets a freshly signed one (in-process, clock moved)', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    await assertTokensRotate(t, tb, 'mysql', async (port) => {
      const conn = await connection(tb, port);
      await conn.end();
    });
  });

  test('--max-connections turns the next client away with 1040', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const proxy = await proxyFor(t, tb, ['--max-connections', '1']);
    const first = await connection(tb, proxy.port);
    await assert.rejects(connection(tb, proxy.port), (err: { errno?: number; message: string }) => {
      assert.equal(err.errno, 1040);
      assert.match(err.message, /Too many connections/);
      return true;
    });
    await first.end();
    // The place frees when the proxy sees the client's socket close, just after end() resolves.
    await eventCount(proxy, 'close', 2);
    const second = await connection(tb, proxy.port);
    await second.end();
  });

  test('TLS toward clients with --tls-*: mysql2 and mariadb over TLS pass, a plain client is refused; a Unix socket and /readiness serve MySQL', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    // The test bed's server certificate names 127.0.0.1 too.
    const tls = dirname(tb.ca);
    const health = await freePort();
    const proxy = await proxyFor(t, tb, [
      '--tls-cert',
      join(tls, 'server.pem'),
      '--tls-key',
      join(tls, 'server.key'),
      '--health-check',
      `127.0.0.1:${health}`,
    ]);
    const conn = await connection(tb, proxy.port, { ssl: { ca: tb.caPem } });
    assert.equal(
      (conn as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted,
      true,
    );
    await conn.end();
    const cli = await mariadb(proxy.port, [
      '-u',
      tb.mysql.iamUser,
      '--ssl',
      `--ssl-ca=${tb.ca}`,
      '-N',
      '-e',
      'select 5',
    ]);
    assert.equal(cli.code, 0, cli.err);
    assert.equal(cli.out.trim(), '5');
    const plain = await mariadb(proxy.port, ['-u', tb.mysql.iamUser, '--skip-ssl', '-e', 'select 1']);
    assert.match(plain.err, /ERROR 1045 .*takes TLS connections only/);
    assert.deepEqual(await httpGet(health, '/readiness'), { status: 200, body: 'ok\n' });
    await tb.verifier.revokeKey(proxy.key.accessKeyId);
    const notReady = await httpGet(health, '/readiness');
    assert.equal(notReady.status, 503);
    assert.match(notReady.body, /refused a freshly signed IAM token/);

    const sockets = join(tempDir('rdsiam-proxy-'), 'sock');
    const onSocket = await startProxy(['--unix-socket', sockets], testbedEnv(tb, 'mysql', await tb.newKey()));
    t.after(() => onSocket.stop());
    const r = await run(
      'mariadb',
      [
        '--no-defaults',
        `--socket=${join(sockets, 'mysqld.sock')}`,
        '-u',
        tb.mysql.iamUser,
        '-N',
        '-e',
        'select current_user()',
      ],
      {
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), `${tb.mysql.iamUser}@%`);
  });
});
