// `rdsiam exec` and `rdsiam token --url|--env`: in-process for usage, config errors and what is printed; as real
// processes running real clients (psql, mariadb, Knex, drizzle-kit, mysql2) against the test bed.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import pg from 'pg';
import { connectPg } from '../../src/connect.js';
import { MemoryTokenCache } from '../../src/token/cache.js';
import type { TokenDeps } from '../../src/token/token-provider.js';
import { CLI_NODE_ARGS, inProcess, spawnCli, TOKEN_TEXT } from '../support/cli.js';
import { RDS_HOST } from '../support/hosts.js';
import { tempDir } from '../support/temp-dir.js';
import { testbedEnv, testbedOptions } from '../support/testbed-config.js';
import { requireTestbed, type Testbed, type TestCredentials } from '../support/testbed.js';
import { verifyToken } from '../support/verify-token.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'node_modules/.bin');

// Each with its own cache: the process cache would serve the previous test's token.
const awkward = (quote = ''): TokenDeps => ({
  cache: new MemoryTokenCache(),
  credentials: async () => ({ accessKeyId: 'AKIAEXAMPLEKEY12WXYZ', secretAccessKey: 'secret' }),
  signer: { sign: async () => `${RDS_HOST}:5432/?Action=connect&X-Amz-Security-Token=a+b/c==&d%2Fe${quote}` },
});
const AWKWARD = `${RDS_HOST}:5432/?Action=connect&X-Amz-Security-Token=a+b/c==&d%2Fe`;

describe('rdsiam exec and token --url|--env: usage and config errors', () => {
  test('exec without --, or with nothing after it, is a usage error (exit 2) that says so', async () => {
    for (const [argv, problem] of [
      [['exec'], /the command goes after --/],
      [['exec', 'psql', '-c', 'select 1'], /the command goes after --/],
      [['exec', '--'], /no command after --/],
      [['exec', '--env-only', '--'], /no command after --/],
    ] as const) {
      const r = await inProcess([...argv]);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, problem);
      assert.match(r.err, /Usage: rdsiam exec/);
      assert.equal(r.out, '');
    }
    const badFlag = await inProcess(['exec', '--region', 'x', '--', 'true']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.err, /unknown option --region; options: --config, --connection, --help, --quiet\n/);
  });

  test('exec --help lists the variables; options after -- belong to the command', async () => {
    const r = await inProcess(['exec', '--help']);
    assert.equal(r.code, 0);
    for (const name of [
      'PGHOSTADDR',
      'PGSSLROOTCERT',
      'MYSQL_PWD',
      'MYSQL_HOME',
      'DATABASE_URL',
      'NODE_EXTRA_CA_CERTS',
    ]) {
      assert.match(r.out, new RegExp(name));
    }
    // `--help` after `--` is the command's: here it reaches config loading, which fails for want of a DSN.
    const after = await inProcess(['exec', '--', 'psql', '--help']);
    assert.equal(after.code, 2);
    assert.match(after.err, /RDSIAM_DSN|DATABASE_URL/);
  });

  test('a config error is exit 2 with the ConfigError text, before anything runs', async () => {
    const r = await inProcess(['exec', '--', 'true']);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, /ConfigError|is required/);
    // Without an IAM plugin there is no token to hand over: the endpoint error `rdsiam token` gives (exit 1).
    const noPlugin = await inProcess(['exec', '--', 'true'], {
      RDSIAM_DSN: 'postgres://app@db.example.com/app',
      RDSIAM_PLUGINS: 'none',
    });
    assert.equal(noPlugin.code, 1);
    assert.match(noPlugin.err, /^rdsiam exec: EndpointError: .*has no IAM plugin/);
  });

  test('MySQL through a tunnel under verify-full is refused (exit 2) with the ways out; no token is signed', async () => {
    let signed = 0;
    const deps: TokenDeps = { ...awkward(), signer: { sign: async () => `${++signed}` } };
    for (const argv of [
      ['exec', '--', 'true'],
      ['token', '--url'],
      ['token', '--env'],
    ]) {
      const r = await inProcess(
        argv,
        { RDSIAM_DSN: 'mysql://app@127.0.0.1:3307/app', RDSIAM_PLUGINS: 'iam', RDSIAM_IAM_HOST: RDS_HOST },
        { tokenDeps: deps },
      );
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.out, '');
      assert.match(r.err, /iam_host \(from RDSIAM_IAM_HOST\): the certificate must name/);
      assert.match(r.err, /RDSIAM_SSL__MODE=verify-ca/);
    }
    assert.equal(signed, 0);
  });

  test('token: --url and --env together is a usage error', async () => {
    const r = await inProcess(['token', '--url', '--env']);
    assert.equal(r.code, 2);
    assert.match(r.err, /give one/);
  });
});

describe('token --url and --env print a usable connection and nothing else', () => {
  const env = () => ({
    RDSIAM_DSN: 'postgres://app@localhost:15432/app',
    RDSIAM_PLUGINS: 'iam',
    RDSIAM_IAM_HOST: RDS_HOST,
    XDG_CACHE_HOME: tempDir('rdsiam-cache-'),
  });

  test('a token with + / = & and a %-escape round-trips through --url (WHATWG URL and node-postgres)', async () => {
    const vars = env();
    const r = await inProcess(['token', '--url'], vars, { tokenDeps: awkward() });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const lines = r.out.split('\n');
    assert.deepEqual(lines.length, 2, 'one line');
    const url = lines[0]!;
    assert.equal(decodeURIComponent(new URL(url).password), AWKWARD);
    const params = new pg.Client({ connectionString: url }) as unknown as {
      password: string;
      host: string;
      ssl: { ca: string };
    };
    assert.equal(params.password, AWKWARD);
    assert.equal(params.host, RDS_HOST, 'the name the certificate is checked against');
    assert.match(params.ssl.ca, /BEGIN CERTIFICATE/, 'the CA file it names exists after the command');
    const ca = new URL(url).searchParams.get('sslrootcert')!;
    assert.ok(ca.startsWith(join(vars.XDG_CACHE_HOME, 'rdsiam')), ca);
    assert.equal((await stat(ca)).mode & 0o777, 0o600);
    assert.match(new URL(url).searchParams.get('hostaddr')!, /^(127\.0\.0\.1|::1)$/, 'localhost resolved for libpq');

    const again = await inProcess(['token', '--url'], vars, { tokenDeps: awkward() });
    assert.equal(new URL(again.out.trim()).searchParams.get('sslrootcert'), ca, 'the cached CA is reused');
  });

  test('--env prints export lines a POSIX shell reads back exactly, even a single quote', async () => {
    const r = await inProcess(['token', '--env'], env(), { tokenDeps: awkward(`'`) });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    assert.match(r.out, /^unset PGSERVICE\n(export [A-Z_]+='[^\n]*'\n)+$/);
    const echoed = await new Promise<string>((resolve, reject) => {
      const sh = execFile(
        'sh',
        ['-c', 'eval "$(cat)"; printf "%s\\n%s\\n%s" "$PGPASSWORD" "$PGHOST" "$PGSSLMODE"'],
        (e, out) => (e ? reject(e) : resolve(out)),
      );
      sh.stdin!.end(r.out);
    });
    assert.deepEqual(echoed.split('\n'), [`${AWKWARD}'`, RDS_HOST, 'verify-full']);
  });
});

// ---- against the test bed, with real clients ----

/** Node tools dial the host they check, so they need the certificate to name the address: the test bed's does. */
const CHECK_THE_ADDRESS = { RDSIAM_SSL__SERVERNAME: '127.0.0.1' };

async function verdicts(tb: Testbed, key: TestCredentials): Promise<string[]> {
  return (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).map((l) => l.verdict);
}

describe('rdsiam exec against the test bed', () => {
  test('psql signs in as the IAM user over verify-full, checking the endpoint name while dialling 127.0.0.1', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const r = await spawnCli(
      ['exec', '--', 'psql', '-tAc', 'select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()'],
      testbedEnv(tb, 'postgres', key),
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), `${tb.postgres.iamUser}|t`);
    assert.match(
      r.err,
      new RegExp(
        `^rdsiam exec: token [0-9a-f]{12} for iam_app@${tb.postgres.endpoint.replace(/\./g, '\\.')}:\\d+ via 127\\.0\\.0\\.1, verify-full; set PGHOST PGHOSTADDR `,
      ),
    );
    assert.doesNotMatch(r.out + r.err, TOKEN_TEXT);
    assert.deepEqual(await verdicts(tb, key), ['ok']);

    // The certificate names the endpoint and 127.0.0.1, not this: libpq checks PGHOST, not the address it dials.
    const other = await tb.newKey();
    const wrong = await spawnCli(
      ['exec', '--', 'psql', '-tAc', 'select 1'],
      testbedEnv(tb, 'postgres', other, {
        RDSIAM_SSL__SERVERNAME: 'other.cluster-abc123example.us-east-1.rds.amazonaws.com',
      }),
    );
    assert.equal(wrong.code, 2, 'psql could not connect');
    assert.match(wrong.err, /does not match host name "other\.cluster-abc123example/);
    assert.deepEqual(await verdicts(tb, other), [], 'the token was never sent');
  });

  test('the mariadb client signs in as the IAM user over verified TLS; a CA that did not sign the server stops it before the token', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const query = "select current_user(), database(); show session status like 'Ssl_cipher'";
    const key = await tb.newKey();
    const full = await spawnCli(
      ['exec', '--quiet', '--', 'mariadb', '-N', '-e', query],
      testbedEnv(tb, 'mysql', key, CHECK_THE_ADDRESS),
    );
    assert.equal(full.code, 0, full.err);
    assert.equal(full.err, '', '--quiet prints nothing');
    const [user, cipher] = full.out.trim().split('\n');
    assert.equal(user, `${tb.mysql.iamUser}@%\t${tb.mysql.database}`);
    assert.match(cipher!, /^Ssl_cipher\t\S+/);
    // mariadb-dump reads no MYSQL_HOST: host, port, user and TLS come from the option file.
    const dump = await spawnCli(
      ['exec', '-q', '--', 'mariadb-dump', '--no-data', tb.mysql.database],
      testbedEnv(tb, 'mysql', key, CHECK_THE_ADDRESS),
    );
    assert.equal(dump.code, 0, dump.err);
    assert.match(dump.out, /^-- MariaDB dump/m);

    // Through the tunnel with the endpoint's name to check, only verify-ca can work for a MySQL client.
    const ca = await spawnCli(
      ['exec', '--', 'mariadb', '-N', '-e', 'select current_user()'],
      testbedEnv(tb, 'mysql', key, { RDSIAM_SSL__MODE: 'verify-ca' }),
    );
    assert.equal(ca.code, 0, ca.err);
    assert.equal(ca.out.trim(), `${tb.mysql.iamUser}@%`);
    const refused = await spawnCli(['exec', '--', 'mariadb', '-e', 'select 1'], testbedEnv(tb, 'mysql', key));
    assert.equal(refused.code, 2);
    assert.match(refused.err, /MySQL and MariaDB clients check the certificate against the host they dial/);
    assert.deepEqual(await verdicts(tb, key), ['ok', 'ok', 'ok']);

    const other = await tb.newKey();
    const { RDSIAM_SSL__CA: _, ...rdsBundle } = testbedEnv(tb, 'mysql', other, CHECK_THE_ADDRESS);
    const untrusted = await spawnCli(['exec', '--', 'mariadb', '-e', 'select 1'], rdsBundle);
    assert.notEqual(untrusted.code, 0);
    assert.match(untrusted.err, /TLS\/SSL error/);
    assert.deepEqual(await verdicts(tb, other), [], 'the token was never sent');
  });

  test('the command sees the token in its environment only: not in its argv, not in our output; the CA file is 0600 and gone after', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey({ kind: 'temporary' });
    const dir = tempDir('rdsiam-exec-child-');
    const report = join(dir, 'report.json');
    const privateTmp = tempDir('rdsiam-exec-tmp-');
    const script = `
      const fs = require('node:fs');
      const ca = process.env.PGSSLROOTCERT;
      fs.writeFileSync(process.argv[1], JSON.stringify({
        cmdline: fs.readFileSync('/proc/self/cmdline', 'utf8'),
        parentCmdline: fs.readFileSync('/proc/' + process.ppid + '/cmdline', 'utf8'),
        token: process.env.PGPASSWORD,
        url: process.env.DATABASE_URL,
        ca, caMode: fs.statSync(ca).mode & 0o777, dirMode: fs.statSync(require('node:path').dirname(ca)).mode & 0o777,
      }));`;
    const r = await spawnCli(
      ['exec', '--', process.execPath, '-e', script, report],
      testbedEnv(tb, 'postgres', key, { TMPDIR: privateTmp }),
    );
    assert.equal(r.code, 0, r.err);
    const seen = JSON.parse(await readFile(report, 'utf8'));
    const checked = await verifyToken(seen.token, 'rds-db', tb.postgres.region, key);
    assert.equal(checked.host, tb.postgres.endpoint);
    assert.ok(checked.hasSessionToken);
    assert.ok(!seen.cmdline.includes(seen.token) && !TOKEN_TEXT.test(seen.cmdline), 'not in the command line');
    assert.ok(!TOKEN_TEXT.test(seen.parentCmdline), 'not in rdsiam exec’s own');
    assert.equal(decodeURIComponent(new URL(seen.url).password), seen.token);
    assert.doesNotMatch(r.out + r.err, TOKEN_TEXT);
    assert.equal(seen.caMode, 0o600);
    assert.equal(seen.dirMode, 0o700);
    assert.ok(seen.ca.startsWith(privateTmp));
    await assert.rejects(stat(seen.ca), { code: 'ENOENT' });
    assert.deepEqual(await ours(privateTmp), [], 'the private directory is removed');
  });

  test('exit codes: the command’s own, 127 when it is not found, 128+n when a signal ends it; no files left behind', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const privateTmp = tempDir('rdsiam-exec-tmp-');
    const env = testbedEnv(tb, 'postgres', key, { TMPDIR: privateTmp });
    assert.equal((await spawnCli(['exec', '--', process.execPath, '-e', 'process.exit(0)'], env)).code, 0);
    assert.equal((await spawnCli(['exec', '--', process.execPath, '-e', 'process.exit(7)'], env)).code, 7);
    const missing = await spawnCli(['exec', '--', 'rdsiam-no-such-command', '--flag'], env);
    assert.equal(missing.code, 127);
    assert.match(missing.err, /rdsiam exec: command not found: rdsiam-no-such-command/);
    const killed = await spawnCli(['exec', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGKILL')"], env);
    assert.equal(killed.code, 128 + 9);
    assert.deepEqual(await ours(privateTmp), []);
  });

  test('SIGTERM and SIGINT sent to rdsiam exec reach the command, whose exit code is passed on', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const privateTmp = tempDir('rdsiam-exec-tmp-');
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: '/nonexistent',
      ...testbedEnv(tb, 'postgres', key, { TMPDIR: privateTmp }),
    };
    const run = (signal: NodeJS.Signals, script: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const cli = spawn(
          process.execPath,
          [...CLI_NODE_ARGS, 'exec', '--env-only', '--', process.execPath, '-e', script],
          {
            env,
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let out = '';
        cli.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out === 'ready\n') cli.kill(signal);
        });
        cli.on('exit', (code) => resolve({ code, out }));
      });
    const handles = `for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => { console.log('got ' + s); process.exit(42); });
      console.log('ready'); setInterval(() => {}, 1000);`;
    assert.deepEqual(await run('SIGTERM', handles), { code: 42, out: 'ready\ngot SIGTERM\n' });
    assert.deepEqual(await run('SIGINT', handles), { code: 42, out: 'ready\ngot SIGINT\n' });
    const ignores = "console.log('ready'); setInterval(() => {}, 1000);";
    assert.deepEqual(await run('SIGTERM', ignores), { code: 128 + 15, out: 'ready\n' });
    assert.deepEqual(await ours(privateTmp), [], 'removed after a signal too');
  });

  test('a Knex migration, run by the knex CLI from DATABASE_URL', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const id = `rdsiam_exec_knex_${process.pid}_${Date.now()}`;
    const dir = tempDir('rdsiam-knex-');
    await mkdir(join(dir, 'migrations'));
    await writeFile(
      join(dir, 'knexfile.cjs'),
      `module.exports = { client: 'pg', connection: process.env.DATABASE_URL, migrations: { directory: __dirname + '/migrations', tableName: '${id}_migrations' } };\n`,
    );
    await writeFile(
      join(dir, 'migrations', '20240101000000_create.cjs'),
      `exports.up = (knex) => knex.schema.createTable('${id}', (t) => { t.integer('id').primary(); });\nexports.down = (knex) => knex.schema.dropTable('${id}');\n`,
    );
    const r = await spawnCli(
      ['exec', '--', join(BIN, 'knex'), 'migrate:latest', '--knexfile', join(dir, 'knexfile.cjs')],
      testbedEnv(tb, 'postgres', key, { ...CHECK_THE_ADDRESS, KNEX_PATH: join(ROOT, 'node_modules/knex') }),
      dir,
    );
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /Batch 1 run: 1 migrations/);
    assert.deepEqual(await applied(tb, `select name from ${id}_migrations`, `drop table ${id}, ${id}_migrations`), [
      '20240101000000_create.cjs',
    ]);
  });

  test('drizzle-kit migrate: from DATABASE_URL when the certificate names the host dialled, and from PG* through the tunnel (examples/drizzle.config.ts)', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const id = `rdsiam_exec_drizzle_${process.pid}_${Date.now()}`;
    const dir = tempDir('rdsiam-drizzle-');
    await mkdir(join(dir, 'drizzle/meta'), { recursive: true });
    const migrate = async (config: string, env: Record<string, string>, table: string): Promise<void> => {
      // A `when` later than any earlier run's: drizzle applies only migrations newer than the last one it recorded.
      const when = Date.now();
      const journal = {
        version: '7',
        dialect: 'postgresql',
        entries: [{ idx: 0, version: '7', when, tag: '0000_init', breakpoints: true }],
      };
      await writeFile(join(dir, 'drizzle/meta/_journal.json'), JSON.stringify(journal));
      await writeFile(join(dir, 'drizzle/0000_init.sql'), `CREATE TABLE "${table}" ("id" integer PRIMARY KEY);\n`);
      const r = await spawnCli(['exec', '--', join(BIN, 'drizzle-kit'), 'migrate', '--config', config], env, dir);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out + r.err, /migrations applied successfully/);
      const recorded = `select count(*)::int from drizzle.__drizzle_migrations where created_at = ${when}`;
      assert.deepEqual(
        await applied(
          tb,
          recorded,
          `drop table "${table}"; delete from drizzle.__drizzle_migrations where created_at = ${when}`,
        ),
        [1],
      );
    };
    await writeFile(
      join(dir, 'url.config.js'),
      `export default { dialect: 'postgresql', out: './drizzle', dbCredentials: { url: process.env.DATABASE_URL } };\n`,
    );
    await migrate('url.config.js', testbedEnv(tb, 'postgres', key, CHECK_THE_ADDRESS), `${id}_url`);
    await migrate(join(ROOT, 'examples/drizzle.config.ts'), testbedEnv(tb, 'postgres', key), `${id}_tunnel`);
    assert.deepEqual(await verdicts(tb, key), ['ok', 'ok']);
  });

  test('mysql2 connects from the MySQL DATABASE_URL over verified TLS (the CA through NODE_EXTRA_CA_CERTS)', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const script = `
      const mysql = require(${JSON.stringify(join(ROOT, 'node_modules/mysql2/promise'))});
      (async () => {
        const c = await mysql.createConnection(process.env.DATABASE_URL);
        const [[row]] = await c.query("select current_user() as u, (select variable_value from information_schema.session_status where variable_name = 'Ssl_cipher') as cipher");
        console.log(row.u + ' ' + (row.cipher ? 'tls' : 'plain'));
        await c.end();
      })().catch((e) => { console.error(e.message); process.exit(3); });`;
    const r = await spawnCli(
      ['exec', '--env-only', '--', process.execPath, '-e', script],
      testbedEnv(tb, 'mysql', key, CHECK_THE_ADDRESS),
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '', '--env-only, the old name of --quiet, still prints nothing');
    assert.equal(r.out.trim(), `${tb.mysql.iamUser}@% tls`);
    assert.deepEqual(await verdicts(tb, key), ['ok']);
  });
});

/** rdsiam exec's directories in a TMPDIR (tsx keeps its cache there too). */
async function ours(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('rdsiam-exec-'));
}

/** Reads what a migration left, then removes it, through rdsiam's own pg connection. */
async function applied(tb: Testbed, query: string, cleanup: string): Promise<unknown[]> {
  const key = await tb.newKey();
  const client = await connectPg(testbedOptions(tb, 'postgres', async () => key));
  try {
    const { rows } = await client.query(query);
    return rows.map((row) => Object.values(row)[0]);
  } finally {
    await client.query(cleanup);
    await client.end();
  }
}
