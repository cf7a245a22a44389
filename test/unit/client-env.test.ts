// What `rdsiam exec` and `token --url|--env` hand other clients: the target, the files, the variables, the URL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { createPool } from 'mysql2';
import { ConfigError } from '../../src/errors.js';
import { dsnTls, parseDsn } from '../../src/config/dsn.js';
import { tlsPlanFor } from '../../src/drivers/tls.js';
import {
  CA_FILE,
  MYSQL_OPTION_FILE,
  clientEnv,
  clientFiles,
  clientTargetFor,
  databaseUrl,
  type ClientTarget,
} from '../../src/client/env.js';
import { RDS_HOST } from '../support/hosts.js';
import { resolvedConfig, type ConfigShape } from '../support/resolved-config.js';
import { tempDir } from '../support/temp-dir.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
// Every character that means something in a URL's userinfo or query, and a percent-escape already in it.
const AWKWARD_TOKEN = `${RDS_HOST}:5432/?Action=connect&DBUser=app&X-Amz-Security-Token=ab+c/d==&e%2Ff:g@h#i j`;

async function targetOf(shape: ConfigShape): Promise<ClientTarget> {
  const config = resolvedConfig({ ssl: { mode: 'verify-full', ca: { pem: PEM } }, ...shape });
  return clientTargetFor(config, await tlsPlanFor(config));
}

describe('clientTargetFor', () => {
  it('names the DSN host, with engine defaults, when it is the endpoint the certificate names', async () => {
    const t = await targetOf({});
    assert.deepEqual(
      { host: t.host, dialHost: t.dialHost, port: t.port, user: t.user, database: t.database, mode: t.mode, ca: t.ca },
      {
        host: RDS_HOST,
        dialHost: undefined,
        port: 5432,
        user: 'app_user',
        database: 'app',
        mode: 'verify-full',
        ca: PEM,
      },
    );
    assert.equal((await targetOf({ engine: 'mysql' })).port, 3306);
  });

  it('PostgreSQL through a tunnel: names the endpoint (checked by the certificate) and dials the tunnel', async () => {
    const t = await targetOf({ host: 'localhost', port: 15432, iam_host: RDS_HOST });
    assert.equal(t.host, RDS_HOST);
    assert.equal(t.dialHost, 'localhost');
    assert.equal(t.port, 15432, 'the port dialled, not the one the token names');
    const named = await targetOf({
      host: '10.0.0.5',
      iam_host: RDS_HOST,
      ssl: { mode: 'verify-full', ca: { pem: PEM }, servername: 'db.example.com' },
    });
    assert.equal(named.host, 'db.example.com');
    assert.equal(named.dialHost, '10.0.0.5');
  });

  it('verify-ca checks no name, so the client simply dials the DSN host', async () => {
    const t = await targetOf({ host: 'localhost', iam_host: RDS_HOST, ssl: { mode: 'verify-ca', ca: { pem: PEM } } });
    assert.equal(t.host, 'localhost');
    assert.equal(t.dialHost, undefined);
    assert.equal(t.mode, 'verify-ca');
  });

  it('refuses MySQL through a tunnel under verify-full, naming the key and both ways out', async () => {
    for (const [shape, key] of [
      [{ engine: 'mysql', host: '127.0.0.1', iam_host: RDS_HOST }, 'iam_host'],
      [
        {
          engine: 'mysql',
          host: RDS_HOST,
          ssl: { mode: 'verify-full', ca: { pem: PEM }, servername: 'other.example.com' },
        },
        'ssl.servername',
      ],
    ] as const) {
      await assert.rejects(targetOf(shape), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.issues[0]?.path, key);
        assert.match(err.message, /cannot dial one host while checking another name/);
        assert.match(err.message, /\/etc\/hosts/);
        assert.match(err.message, /RDSIAM_SSL__MODE=verify-ca/);
        return true;
      });
    }
    const ok = await targetOf({
      engine: 'mysql',
      host: '127.0.0.1',
      iam_host: RDS_HOST,
      ssl: { mode: 'verify-ca', ca: { pem: PEM } },
    });
    assert.equal(ok.host, '127.0.0.1');
  });

  it('refuses a config without verified TLS (no token goes to an unverified server)', async () => {
    const config = resolvedConfig({ plugin: undefined, ssl: { mode: 'require' } });
    assert.throws(
      () => clientTargetFor(config, undefined),
      (err: unknown) => err instanceof ConfigError && /ssl\.mode/.test(err.message),
    );
  });
});

describe('databaseUrl', () => {
  it('PostgreSQL: the token percent-encoded, read back intact by WHATWG URL, node-postgres and rdsiam', async () => {
    const dir = tempDir('rdsiam-url-');
    const caFile = join(dir, CA_FILE);
    await writeFile(caFile, PEM);
    const target = await targetOf({ host: 'localhost', port: 15432, iam_host: RDS_HOST, user: 'app user@x' });
    const url = databaseUrl(target, AWKWARD_TOKEN, caFile, '127.0.0.1');

    const parsed = new URL(url);
    assert.equal(decodeURIComponent(parsed.password), AWKWARD_TOKEN);
    assert.equal(decodeURIComponent(parsed.username), 'app user@x');
    assert.equal(parsed.hostname, RDS_HOST);
    assert.deepEqual(Object.fromEntries(parsed.searchParams), {
      hostaddr: '127.0.0.1',
      sslmode: 'verify-full',
      sslrootcert: caFile,
    });
    assert.match(url, new RegExp(`sslrootcert=${caFile}$`), 'a CA path stays readable');

    const client = new pg.Client({ connectionString: url });
    const params = client as unknown as {
      password: string;
      user: string;
      port: number;
      database: string;
      ssl: { ca: string };
    };
    assert.equal(params.password, AWKWARD_TOKEN);
    assert.equal(params.user, 'app user@x');
    assert.equal(params.port, 15432);
    assert.equal(params.database, 'app');
    assert.equal(params.ssl.ca, PEM, 'node-postgres reads sslrootcert');

    const ours = parseDsn(url);
    assert.ok(ours.ok);
    assert.equal(ours.value.password?.reveal(), AWKWARD_TOKEN);
    const ssl = dsnTls(ours.value);
    assert.equal(ssl.mode, 'verify-full');
    assert.equal(ssl.ca, caFile);
  });

  it('MySQL: mysql2 reads the token intact and TLS on, verified, with the name checked under verify-full', async () => {
    for (const mode of ['verify-full', 'verify-ca'] as const) {
      const target = await targetOf({ engine: 'mysql', ssl: { mode, ca: { pem: PEM } } });
      const url = databaseUrl(target, AWKWARD_TOKEN, '/unused/ca.pem');
      assert.ok(url.startsWith(`mysql://app_user:`), url);
      const pool = createPool(url);
      try {
        const config = (pool as unknown as { config: { connectionConfig: Record<string, unknown> } }).config
          .connectionConfig;
        assert.equal(config.password, AWKWARD_TOKEN);
        assert.equal(config.host, RDS_HOST);
        assert.equal(config.port, 3306);
        assert.deepEqual(config.ssl, { rejectUnauthorized: true, verifyIdentity: mode === 'verify-full' });
        assert.equal(config.enableCleartextPlugin, true);
      } finally {
        pool.end();
      }
    }
  });

  it('brackets an IPv6 host and omits an absent database', async () => {
    const { database: _, ...target } = await targetOf({ host: '::1' });
    const url = databaseUrl(target, 't', '/ca.pem');
    assert.match(url, /^postgres:\/\/app_user:t@\[::1\]:5432\/\?/);
    assert.equal(new URL(url).hostname, '[::1]');
  });
});

describe('clientEnv and clientFiles', () => {
  it('PostgreSQL: the libpq variables, the URL and the CA; PGHOSTADDR only through a tunnel', async () => {
    const direct = clientEnv({
      target: await targetOf({}),
      token: 'tok',
      dir: '/d',
      inherited: {},
      dsnFromDatabaseUrl: false,
    });
    assert.deepEqual(Object.keys(direct.set).sort(), [
      'DATABASE_URL',
      'NODE_EXTRA_CA_CERTS',
      'PGDATABASE',
      'PGHOST',
      'PGPASSWORD',
      'PGPORT',
      'PGSSLMODE',
      'PGSSLROOTCERT',
      'PGUSER',
    ]);
    assert.equal(direct.set.PGSSLROOTCERT, `/d/${CA_FILE}`);
    assert.equal(direct.set.NODE_EXTRA_CA_CERTS, `/d/${CA_FILE}`);
    assert.equal(direct.set.PGSSLMODE, 'verify-full');
    assert.deepEqual(direct.unset, ['PGSERVICE', 'PGHOSTADDR'], 'an inherited PGHOSTADDR would redirect the dial');

    const tunnel = await targetOf({ host: 'localhost', iam_host: RDS_HOST });
    const viaTunnel = clientEnv({
      target: tunnel,
      token: 'tok',
      dir: '/d',
      hostaddr: '127.0.0.1',
      inherited: {},
      dsnFromDatabaseUrl: false,
    });
    assert.equal(viaTunnel.set.PGHOST, RDS_HOST);
    assert.equal(viaTunnel.set.PGHOSTADDR, '127.0.0.1');
    assert.deepEqual(viaTunnel.unset, ['PGSERVICE']);
  });

  it('keeps a NODE_EXTRA_CA_CERTS the user set, and keeps a DATABASE_URL DSN for rdsiam under RDSIAM_DSN', async () => {
    const inherited = { NODE_EXTRA_CA_CERTS: '/mine.pem', DATABASE_URL: 'postgres://app_user@db/app' };
    const env = clientEnv({ target: await targetOf({}), token: 'tok', dir: '/d', inherited, dsnFromDatabaseUrl: true });
    assert.equal(env.set.NODE_EXTRA_CA_CERTS, undefined);
    assert.equal(env.set.RDSIAM_DSN, 'postgres://app_user@db/app');
    assert.notEqual(env.set.DATABASE_URL, inherited.DATABASE_URL);
    const other = clientEnv({
      target: await targetOf({}),
      token: 'tok',
      dir: '/d',
      inherited,
      dsnFromDatabaseUrl: false,
    });
    assert.equal(other.set.RDSIAM_DSN, undefined);
  });

  it('MySQL: password, cleartext plugin, and an option file whose groups match the suffix each client flavour reads', async () => {
    const target = await targetOf({ engine: 'mysql' });
    const env = clientEnv({ target, token: 'tok', dir: '/d', inherited: {}, dsnFromDatabaseUrl: false });
    assert.equal(env.set.MYSQL_PWD, 'tok');
    assert.equal(env.set.MYSQL_HOST, RDS_HOST);
    assert.equal(env.set.MYSQL_TCP_PORT, '3306');
    assert.equal(env.set.LIBMYSQL_ENABLE_CLEARTEXT_PLUGIN, 'Y');
    assert.equal(env.set.MYSQL_HOME, '/d');
    assert.equal(env.set.MARIADB_HOME, '/d');
    assert.deepEqual(env.unset, []);

    const cnf = clientFiles(target, '/d')[MYSQL_OPTION_FILE]!;
    const groups = sections(cnf);
    assert.deepEqual(groups.client, [
      `host="${RDS_HOST}"`,
      'port=3306',
      'protocol=TCP',
      'user="app_user"',
      `ssl-ca="/d/${CA_FILE}"`,
    ]);
    assert.deepEqual(
      groups.mysql,
      ['database="app"'],
      'only the mysql client takes a database; mysqldump would reject it',
    );
    assert.deepEqual(groups[`client${env.set.MYSQL_GROUP_SUFFIX}`], ['ssl-mode=VERIFY_IDENTITY']);
    assert.deepEqual(groups[`client${env.set.MARIADB_GROUP_SUFFIX}`], ['ssl-verify-server-cert']);

    const ca = sections(
      clientFiles(await targetOf({ engine: 'mysql', ssl: { mode: 'verify-ca', ca: { pem: PEM } } }), '/d')[
        MYSQL_OPTION_FILE
      ]!,
    );
    assert.deepEqual(ca[`client${env.set.MYSQL_GROUP_SUFFIX}`], ['ssl-mode=VERIFY_CA']);
    assert.deepEqual(ca[`client${env.set.MARIADB_GROUP_SUFFIX}`], ['skip-ssl-verify-server-cert']);
  });

  it('quotes option-file values so a quote, backslash or newline cannot add an option', async () => {
    const target = { ...(await targetOf({ engine: 'mysql' })), user: 'a"b\\c\nssl-ca=/evil' };
    const cnf = clientFiles(target, '/d')[MYSQL_OPTION_FILE]!;
    assert.match(cnf, /^user="a\\"b\\\\c\\nssl-ca=\/evil"$/m);
    assert.doesNotMatch(cnf, /^ssl-ca=\/evil/m);
  });

  it('writes the CA for both engines, and an option file only for MySQL', async () => {
    assert.deepEqual(clientFiles(await targetOf({}), '/d'), { [CA_FILE]: PEM });
    assert.deepEqual(Object.keys(clientFiles(await targetOf({ engine: 'mysql' }), '/d')), [CA_FILE, MYSQL_OPTION_FILE]);
  });
});

/** The option lines of each `[group]`, comments left out. */
function sections(cnf: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let group = '';
  for (const line of cnf.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) out[(group = header[1]!)] = [];
    else if (line !== '' && !line.startsWith('#')) out[group]!.push(line);
  }
  return out;
}
