// What the library builders hand each library, without a database: the library's own options merged in, and a
// clear ConfigError for any option that would keep new connections from getting a current token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  bunSqlOptionsFromConfig,
  ConfigError,
  RdsIamError,
  mariadbPoolOptionsFromConfig,
  mikroOrmOptionsFromConfig,
  postgresOptionsFromConfig,
  prismaDatasourceUrl,
  sequelizeOptionsFromConfig,
  typeormOptionsFromConfig,
  type ConnectOptions,
} from '../../src/index.js';
import { installedMikroOrmMajor } from '../../src/integrations/mikro-orm-major.js';
import { RDS_HOST } from '../support/hosts.js';
import { NO_CONFIG_DIR } from '../support/projects.js';
import { tempDir } from '../support/temp-dir.js';
import { tokenDeps, type TestTokenDeps } from '../support/token-deps.js';

// TypeORM 0.3 and MikroORM 6 in a package of their own (test/fixtures/previous-majors/node_modules).
const PREVIOUS_MAJORS = fileURLToPath(new URL('../fixtures/previous-majors/', import.meta.url));

const READER_HOST = RDS_HOST.replace('mydb.', 'mydb-reader.');

function options(engine: 'postgres' | 'mysql', overrides: Record<string, unknown> = {}): ConnectOptions {
  return {
    cwd: NO_CONFIG_DIR,
    env: {},
    credentials: async () => assert.fail('no token is needed to build options'),
    overrides: {
      dsn: `${engine === 'mysql' ? 'mysql' : 'postgres'}://app@${RDS_HOST}/shop`,
      plugins: 'iam',
      ...overrides,
    },
  };
}

type Builder = (input: ConnectOptions & { merge?: object }) => Promise<object>;

const mikroOrm6: Builder = (input) => mikroOrmOptionsFromConfig({ ...input, major: 6 });

const BUILDERS: [string, Builder, ('postgres' | 'mysql')[]][] = [
  ['typeormOptionsFromConfig', typeormOptionsFromConfig, ['postgres', 'mysql']],
  ['sequelizeOptionsFromConfig', sequelizeOptionsFromConfig, ['postgres', 'mysql']],
  ['mikroOrmOptionsFromConfig', mikroOrmOptionsFromConfig, ['postgres', 'mysql']],
  ['mikroOrmOptionsFromConfig (major 6)', mikroOrm6, ['postgres', 'mysql']],
  ['postgresOptionsFromConfig', postgresOptionsFromConfig, ['postgres']],
  ['bunSqlOptionsFromConfig', bunSqlOptionsFromConfig, ['postgres']],
  ['mariadbPoolOptionsFromConfig', mariadbPoolOptionsFromConfig, ['mysql']],
];

async function refusal(promise: Promise<unknown>): Promise<ConfigError> {
  const err = await promise.then(
    () => assert.fail('the options were accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConfigError, String(err));
  return err;
}

describe('library builders refuse options that would defeat token renewal', () => {
  for (const [name, build, engines] of BUILDERS) {
    for (const engine of engines) {
      it(`${name} (${engine}): a static password next to ours is a ConfigError that says why`, async () => {
        const err = await refusal(build({ ...options(engine), merge: { password: 'hunter2-static' } }));
        assert.equal(err.issues[0]?.path, 'merge.password');
        assert.deepEqual(err.issues[0]?.origin, { kind: 'code' });
        assert.match(err.message, new RegExp(`^${name.split(' ')[0]} cannot take these options`));
        assert.match(
          err.message,
          /fixed password would be sent by every new connection in place of a current IAM token/,
        );
        assert.doesNotMatch(err.message, /hunter2/, 'the password itself is never echoed');
      });
    }
  }

  const DEEPER: [string, Builder, 'postgres' | 'mysql', object, string, RegExp][] = [
    ['postgresOptionsFromConfig', postgresOptionsFromConfig, 'postgres', { pass: 'x' }, 'merge.pass', /fixed password/],
    ['bunSqlOptionsFromConfig', bunSqlOptionsFromConfig, 'postgres', { pass: 'x' }, 'merge.pass', /fixed password/],
    [
      'bunSqlOptionsFromConfig',
      bunSqlOptionsFromConfig,
      'postgres',
      { url: 'postgres://a:b@h/d' },
      'merge.url',
      /connection URL replaces/,
    ],
    [
      'typeormOptionsFromConfig',
      typeormOptionsFromConfig,
      'postgres',
      { extra: { password: 'x' } },
      'merge.extra.password',
      /fixed password/,
    ],
    [
      'typeormOptionsFromConfig',
      typeormOptionsFromConfig,
      'postgres',
      { url: 'postgres://a:b@h/d' },
      'merge.url',
      /connection URL/,
    ],
    [
      'typeormOptionsFromConfig',
      typeormOptionsFromConfig,
      'mysql',
      { extra: { authPlugins: {} } },
      'merge.extra.authPlugins',
      /mysql_clear_password plugin/,
    ],
    [
      'sequelizeOptionsFromConfig',
      sequelizeOptionsFromConfig,
      'mysql',
      { dialectOptions: { authPlugins: {} } },
      'merge.dialectOptions.authPlugins',
      /mysql_clear_password plugin/,
    ],
    [
      'sequelizeOptionsFromConfig',
      sequelizeOptionsFromConfig,
      'postgres',
      { replication: { read: [{ host: 'r' }] } },
      'merge.replication',
      /name them in `readers`/,
    ],
    [
      'typeormOptionsFromConfig',
      typeormOptionsFromConfig,
      'postgres',
      { replication: { slaves: [] } },
      'merge.replication',
      /would connect with no IAM token/,
    ],
    [
      'mikroOrmOptionsFromConfig',
      mikroOrmOptionsFromConfig,
      'mysql',
      { replicas: [{ host: 'r' }] },
      'merge.replicas',
      /would connect with no IAM token/,
    ],
    [
      'mikroOrmOptionsFromConfig',
      mikroOrmOptionsFromConfig,
      'postgres',
      { clientUrl: 'postgres://a:b@h/d' },
      'merge.clientUrl',
      /connection URL/,
    ],
    [
      'mikroOrmOptionsFromConfig',
      mikroOrmOptionsFromConfig,
      'mysql',
      { driverOptions: { password: 'x' } },
      'merge.driverOptions.password',
      /fixed password/,
    ],
    [
      'mikroOrmOptionsFromConfig (major 6)',
      mikroOrm6,
      'mysql',
      { driverOptions: { connection: { password: 'x' } } },
      'merge.driverOptions.connection.password',
      /fixed password/,
    ],
    [
      'mariadbPoolOptionsFromConfig',
      mariadbPoolOptionsFromConfig,
      'mysql',
      { stream: () => undefined },
      'merge.stream',
      /`stream` hook/,
    ],
  ];
  for (const [name, build, engine, merge, path, why] of DEEPER) {
    it(`${name} (${engine}): ${path} is refused`, async () => {
      const err = await refusal(build({ ...options(engine), merge }));
      assert.equal(err.issues[0]?.path, path);
      assert.match(err.message, why);
    });
  }

  it('a different value for a key rdsiam sets from the config is refused, pointing at the config', async () => {
    const err = await refusal(
      typeormOptionsFromConfig({ ...options('postgres'), merge: { host: 'elsewhere', extra: { max: 3 } } }),
    );
    assert.deepEqual(
      err.issues.map((i) => i.path),
      ['merge.host'],
    );
    assert.match(err.message, /set it there instead/);
    const pool = await refusal(
      sequelizeOptionsFromConfig({ ...options('postgres', { pool: { max: 5 } }), merge: { pool: { max: 50 } } }),
    );
    assert.deepEqual(
      pool.issues.map((i) => i.path),
      ['merge.pool.max'],
    );
  });
});

describe("library builders merge the library's own options", () => {
  it('keys rdsiam does not set are kept, nested ones beside ours', async () => {
    const built = await typeormOptionsFromConfig({
      ...options('postgres'),
      merge: { entities: ['User'], extra: { application_name: 'shop' }, host: RDS_HOST },
    });
    assert.deepEqual(built.entities, ['User']);
    assert.equal(built.extra['application_name'], 'shop');
    assert.equal(typeof built.extra['password'], 'function', 'our token function is still there');
    assert.equal(built.type, 'postgres');
  });

  it('postgres.js gets a password function, verified TLS naming the endpoint, and times in seconds', async () => {
    const built = await postgresOptionsFromConfig(
      options('postgres', { connect_timeout_ms: 2500, pool: { max: 4, idle_timeout_ms: 30_000 } }),
    );
    assert.equal(typeof built.password, 'function');
    assert.ok(built.ssl);
    assert.equal(built.ssl.servername, RDS_HOST);
    assert.equal(built.ssl.rejectUnauthorized, true);
    assert.equal(
      built.ssl.checkServerIdentity('127.0.0.1', {
        subject: { CN: 'other' },
        subjectaltname: 'DNS:other',
      } as never) instanceof Error,
      true,
    );
    assert.deepEqual([built.connect_timeout, built.max, built.idle_timeout], [2.5, 4, 30]);
  });

  it('Bun.SQL gets a password function, verified TLS naming the endpoint, and the pool from the config', async () => {
    const built = await bunSqlOptionsFromConfig(
      options('postgres', {
        connect_timeout_ms: 2500,
        pool: { max: 4, idle_timeout_ms: 30_000, max_lifetime_s: 600 },
      }),
    );
    assert.equal(built.adapter, 'postgres');
    assert.equal(built.hostname, RDS_HOST);
    assert.equal(typeof built.password, 'function');
    assert.ok(built.tls);
    assert.equal(built.tls.serverName, RDS_HOST);
    assert.equal(built.tls.rejectUnauthorized, true);
    assert.ok(
      built.tls.checkServerIdentity('127.0.0.1', { subject: { CN: 'other' }, subjectaltname: 'DNS:other' } as never),
    );
    assert.deepEqual([built.connectionTimeout, built.max, built.idleTimeout, built.maxLifetime], [2.5, 4, 30, 600]);
  });

  it('Bun.SQL on a mysql:// DSN is a ConfigError that points to mysql2 and rdsiam proxy', async () => {
    const err = await refusal(bunSqlOptionsFromConfig(options('mysql')));
    assert.equal(err.issues[0]?.path, 'dsn');
    assert.match(
      err.message,
      /Bun\.SQL on MySQL has no mysql_clear_password plugin, so it cannot send an IAM token: use mysql2 \(connectMysql, createMysqlPool\) or `rdsiam proxy`/,
    );
  });

  it('MikroORM 7 hands pg a token function and the pool its TLS flat; MikroORM 6 nests them for Knex', async () => {
    const seven = await mikroOrmOptionsFromConfig(options('postgres', { connect_timeout_ms: 2500 }));
    assert.equal(typeof seven.password, 'function');
    assert.equal((seven.driverOptions['ssl'] as { servername?: string }).servername, RDS_HOST);
    assert.equal(seven.driverOptions['connectionTimeoutMillis'], 2500);
    assert.equal(seven.driverOptions['connection'], undefined);
    const six = await mikroOrmOptionsFromConfig({ ...options('postgres', { connect_timeout_ms: 2500 }), major: 6 });
    assert.equal(typeof six.password, 'function');
    assert.equal((six.driverOptions.connection['ssl'] as { servername?: string }).servername, RDS_HOST);
    assert.equal(six.driverOptions.connection['connectionTimeoutMillis'], 2500);
    const mysql = await mikroOrmOptionsFromConfig(options('mysql'));
    assert.equal(mysql.password, undefined, 'MySQL sends the token through the auth plugin');
    const plugins = mysql.driverOptions['authPlugins'] as Record<string, unknown>;
    assert.equal(typeof plugins['mysql_clear_password'], 'function');
  });

  it("without `major`, the MikroORM major installed where the config is searched decides the options' shape", async () => {
    assert.equal(installedMikroOrmMajor(PREVIOUS_MAJORS), 6);
    assert.equal(installedMikroOrmMajor(NO_CONFIG_DIR), 7);
    assert.equal(installedMikroOrmMajor(tempDir('rdsiam-no-mikro-orm-')), undefined);
    const six = await mikroOrmOptionsFromConfig({ ...options('postgres'), cwd: PREVIOUS_MAJORS });
    const connection = (six.driverOptions as { connection?: Record<string, unknown> }).connection;
    assert.equal((connection?.['ssl'] as { servername?: string } | undefined)?.servername, RDS_HOST);
    const seven = await mikroOrmOptionsFromConfig({ ...options('postgres'), cwd: PREVIOUS_MAJORS, major: 7 });
    assert.equal((seven.driverOptions['ssl'] as { servername?: string }).servername, RDS_HOST);
  });

  it('a `major` other than 6 or 7 (from JavaScript) is a ConfigError naming it, not the other shape in silence', async () => {
    for (const major of [5, '7', null]) {
      await assert.rejects(
        mikroOrmOptionsFromConfig({ ...options('postgres'), major: major as never }),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.issues.length === 1 &&
          err.issues[0]?.path === 'major' &&
          /^must be 6 or 7 \(the MikroORM major\), got /.test(err.issues[0].message),
      );
    }
  });

  it('the mariadb pool closes idle connections only if minimumIdle is 0, and its idleTimeout is in seconds', async () => {
    const built = await mariadbPoolOptionsFromConfig(options('mysql', { pool: { max: 4, idle_timeout_ms: 1500 } }));
    assert.deepEqual([built.connectionLimit, built.idleTimeout, built.minimumIdle], [4, 1.5, 0]);
    assert.equal(built.password, undefined, 'with a plugin, the token is set per connection');
  });

  it('the mariadb stream hook fails clearly if the connector calls it without the connection options', async () => {
    const { stream } = await mariadbPoolOptionsFromConfig(options('mysql'));
    const err = await new Promise<Error | undefined>((resolve) => stream.call(undefined, (e) => resolve(e)));
    assert.ok(err instanceof RdsIamError);
    assert.match(err.message, /calls the `stream` option without a callback or without the connection options/);
  });
});

describe('sequelizeOptionsFromConfig read replicas', () => {
  const withReader = (reader: Record<string, unknown>): ConnectOptions =>
    options('postgres', { connections: { reader } });

  it("each reader is its own server, and the hook hands each new connection its own server's password", async () => {
    const built = await sequelizeOptionsFromConfig({
      ...withReader({ dsn: `postgres://reporting@${READER_HOST}/shop` }),
      readers: ['reader'],
    });
    assert.deepEqual(
      built.replication?.read.map((r) => [r.username, r.host]),
      [['reporting', READER_HOST]],
    );
    assert.equal(built.replication?.write.host, RDS_HOST);
    const writer = { host: RDS_HOST, port: 5432, username: 'app', password: undefined as unknown };
    const reader = { host: READER_HOST, port: 5432, username: 'reporting', password: undefined as unknown };
    built.hooks?.beforeConnect(writer);
    built.hooks?.beforeConnect(reader);
    assert.equal(typeof writer.password, 'function');
    assert.equal(typeof reader.password, 'function');
    assert.notEqual(writer.password, reader.password);
    assert.throws(
      () => built.hooks?.beforeConnect({ host: 'unknown.example.com', port: 5432, username: 'app' }),
      /none of the servers/,
    );
  });

  it('two servers the hook could not tell apart are a ConfigError', async () => {
    const err = await refusal(
      sequelizeOptionsFromConfig({ ...withReader({ iam_host: READER_HOST }), readers: ['reader'] }),
    );
    assert.equal(err.issues[0]?.path, 'readers');
    assert.match(err.message, /could not tell which token each needs/);
  });

  it('a reader of the other engine is a ConfigError', async () => {
    const err = await refusal(
      sequelizeOptionsFromConfig({ ...withReader({ dsn: `mysql://app@${READER_HOST}/shop` }), readers: ['reader'] }),
    );
    assert.match(err.message, /sequelizeOptionsFromConfig needs a postgres:\/\/ DSN/);
  });
});

// prismaDatasourceUrl: every part percent-encoded so it decodes to the user and token signed, Prisma's own TLS
// parameters, the CA written where the URL says, and a clear ConfigError where Prisma cannot do IAM (MySQL) or cannot
// check the name rdsiam checks.
// A user name with every character that means something in a URL's userinfo, and a space.
const AWKWARD_USER = 'app user@x:/?#%+';

function prismaOptions(dsn: string, overrides: Record<string, unknown> = {}) {
  const cacheHome = tempDir('rdsiam-prisma-cache-');
  const o: ConnectOptions & TestTokenDeps = {
    ...tokenDeps(async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' })),
    cwd: NO_CONFIG_DIR,
    env: { XDG_CACHE_HOME: cacheHome },
    overrides: { dsn, plugins: 'iam', ...overrides },
  };
  return { options: o, cacheHome };
}

describe('prismaDatasourceUrl', () => {
  it('percent-encodes the user, the token and the database so that they decode to what was signed', async () => {
    const { options: o } = prismaOptions(
      `postgres://${encodeURIComponent(AWKWARD_USER)}@${RDS_HOST}:5433/${encodeURIComponent('my db')}`,
    );
    const url = new URL(await prismaDatasourceUrl(o));
    assert.equal(o.signer.signings, 1);
    assert.equal(url.protocol, 'postgres:');
    assert.equal(decodeURIComponent(url.username), AWKWARD_USER);
    // What the counting signer's first token is: it carries `:`, `/`, `?`, `&`, `=` and the user's own characters.
    assert.equal(
      decodeURIComponent(url.password),
      `${RDS_HOST}:5433/?DBUser=${AWKWARD_USER}&region=us-east-1&X-Amz-Signature=secret1`,
    );
    assert.equal(url.hostname, RDS_HOST);
    assert.equal(url.port, '5433');
    assert.equal(decodeURIComponent(url.pathname.slice(1)), 'my db');
  });

  it("names Prisma's TLS parameters: a required, strictly checked TLS session against a CA file it can read", async () => {
    const { options: o, cacheHome } = prismaOptions(`postgres://app@${RDS_HOST}/shop`);
    const url = new URL(await prismaDatasourceUrl(o));
    assert.deepEqual([...url.searchParams.keys()], ['sslmode', 'sslaccept', 'sslcert']);
    assert.equal(url.searchParams.get('sslmode'), 'require');
    assert.equal(url.searchParams.get('sslaccept'), 'strict');
    const caFile = url.searchParams.get('sslcert')!;
    assert.ok(caFile.startsWith(join(cacheHome, 'rdsiam', 'client-')), caFile);
    assert.match(await readFile(caFile, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    assert.equal((await stat(caFile)).mode & 0o777, 0o600);
    // Called again (another `prisma` run), the same file is named.
    assert.equal(new URL(await prismaDatasourceUrl(o)).searchParams.get('sslcert'), caFile);
  });

  it('refuses MySQL before signing, naming why and `rdsiam proxy`', async () => {
    const { options: o } = prismaOptions(`mysql://app@${RDS_HOST}/shop`);
    const err = await refusal(prismaDatasourceUrl(o));
    assert.equal(err.issues[0]?.path, 'dsn');
    assert.match(err.message, /mysql_clear_password/);
    assert.match(err.message, /rdsiam proxy/);
    assert.equal(o.signer.signings, 0);
  });

  it('refuses to dial one host while the certificate must name another: Prisma has no hostaddr', async () => {
    const { options: o } = prismaOptions('postgres://app@127.0.0.1:5432/shop', { iam_host: RDS_HOST });
    const err = await refusal(prismaDatasourceUrl(o));
    assert.equal(err.issues[0]?.path, 'iam_host');
    assert.match(
      err.message,
      new RegExp(`must name ${RDS_HOST.replace(/\./g, '\\.')}, but the DSN dials 127\\.0\\.0\\.1`),
    );
    assert.equal(o.signer.signings, 0);
  });

  it('refuses ssl.mode require: the token would go to a server nobody checked', async () => {
    const { options: o } = prismaOptions(`postgres://app@${RDS_HOST}/shop`, { ssl: { mode: 'require' } });
    const err = await refusal(prismaDatasourceUrl(o));
    assert.equal(err.issues[0]?.path, 'ssl.mode');
    assert.equal(o.signer.signings, 0);
  });
});
