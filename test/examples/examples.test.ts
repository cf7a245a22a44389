// Every example type-checks, every config sample loads, and every runnable example runs against the test bed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { loadConfig } from '../../src/index.js';
import { NO_CONFIG_DIR } from '../support/projects.js';
import { runNode } from '../support/run.js';
import { testbedEnv, testbedReader, type Server } from '../support/testbed-config.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

test('every example type-checks against the public API', async () => {
  const r = await runNode([TSC, '-p', join(ROOT, 'examples/tsconfig.json'), '--noEmit'], {}, { cwd: ROOT });
  assert.equal(r.code, 0, r.out + r.err);
});

describe('config samples load as documented', () => {
  const dir = join(ROOT, 'examples/config');
  test('.rdsiamrc.yaml: Aurora PostgreSQL with a reader connection', async () => {
    const file = join(dir, '.rdsiamrc.yaml');
    const main = await loadConfig({ configFile: file, env: {} });
    assert.equal(main.dsn.host, 'prod.cluster-c9akciq32xyz.eu-west-1.rds.amazonaws.com');
    assert.deepEqual(main.pool, { max: 20, idle_timeout_ms: 30000 });
    assert.equal(main.aws_profile, 'prod');
    const reader = await loadConfig({ configFile: file, env: {}, connection: 'reader' });
    assert.equal(reader.dsn.user, 'app_reader');
    assert.equal(reader.aws_profile, 'prod', 'a named connection inherits the top-level keys');
  });
  test('.rdsiamrc.json: MySQL through a tunnel, signing for the real endpoint, with a role', async () => {
    const c = await loadConfig({ configFile: join(dir, '.rdsiamrc.json'), env: {} });
    assert.equal(c.dsn.engine, 'mysql');
    assert.equal(c.iam_host, 'orders.c9akciq32xyz.us-east-2.rds.amazonaws.com');
    assert.equal(c.iam_default_port, 3306);
    assert.equal(c.aws_role_arn, 'arn:aws:iam::123456789012:role/orders-db-connect');
  });
  test('rdsiam.config.ts: DSQL with defineConfig', async () => {
    const c = await loadConfig({ configFile: join(dir, 'rdsiam.config.ts'), env: {}, connection: 'app' });
    assert.equal(c.plugin, 'iam_dsql');
    assert.equal(c.iam_expiration, 3600);
    assert.equal(c.dsn.user, 'app_role');
  });
});

function envFor(tb: Testbed, server: Server): Record<string, string> {
  const env = testbedEnv(tb, server, tb.credentials[0]!, {
    // Examples import 'rdsiam'; this maps it to the source, as a user's node_modules would map it to dist.
    TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json'),
  });
  // A DSQL DSN as examples/dsql.ts shows it, without a database: rdsiam's default (postgres) must do.
  if (server === 'dsql') env.RDSIAM_DSN = env.RDSIAM_DSN!.replace(/\/[^/]*$/, '');
  return env;
}

/** The test bed's PostgreSQL reader endpoint as a `reader` connection, through env vars. */
function readerEnv(tb: Testbed): Record<string, string> {
  const { dsn, iam_host } = testbedReader(tb);
  return { RDSIAM_CONNECTIONS__READER__DSN: dsn, RDSIAM_CONNECTIONS__READER__IAM_HOST: iam_host };
}

const RUNNABLE: [string, Server, RegExp, ((tb: Testbed) => Record<string, string>)?][] = [
  ['quick-start.ts', 'postgres', /^connected as iam_app$/m],
  ['quick-start.ts', 'mysql', /^connected as iam_app@%$/m],
  ['pg-iam.ts', 'postgres', /^connected; the database says it is \d{4}-/m],
  ['mysql-iam.ts', 'mysql', /^connected; the database says it is \d{4}-/m],
  ['pg-pool.ts', 'postgres', /^pool answered 1,2,3,4,5 on \d+ connection/m],
  ['mysql-pool.ts', 'mysql', /^pool answered 1,2,3,4,5$/m],
  ['kysely.ts', 'postgres', /^kysely connected as iam_app$/m],
  ['kysely-mysql.ts', 'mysql', /^kysely \(mysql\) connected as iam_app@%$/m],
  ['drizzle.ts', 'postgres', /^drizzle connected as iam_app$/m],
  ['prisma-pg-adapter.ts', 'postgres', /^prisma adapter connected as iam_app$/m],
  ['knex.ts', 'postgres', /^knex connected as iam_app$/m],
  ['dsql.ts', 'dsql', /^DSQL connected as admin to postgres$/m],
  ['typeorm.ts', 'postgres', /^typeorm connected as iam_app$/m],
  ['typeorm.ts', 'mysql', /^typeorm connected as iam_app@%$/m],
  ['nestjs-typeorm.ts', 'postgres', /^nestjs typeorm connected as iam_app$/m],
  ['sequelize.ts', 'postgres', /^sequelize connected as iam_app, reads as iam_reader$/m, readerEnv],
  ['sequelize.ts', 'mysql', /^sequelize connected as iam_app@%$/m],
  ['mikro-orm.ts', 'postgres', /^mikro-orm connected as iam_app$/m],
  ['postgres-js.ts', 'postgres', /^postgres\.js connected as iam_app to \w+$/m],
  ['postgres-js.ts', 'dsql', /^postgres\.js connected as admin to postgres$/m],
  ['prisma-mariadb-adapter.ts', 'mysql', /^prisma mariadb adapter connected as iam_app@%$/m],
];

describe('examples run against the test bed', () => {
  for (const [file, server, expected, extraEnv] of RUNNABLE) {
    test(`${file} (${server})`, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const r = await runNode(
        ['--import', TSX, join(ROOT, 'examples', file)],
        { ...envFor(tb, server), ...extraEnv?.(tb) },
        { cwd: NO_CONFIG_DIR, timeout: 60_000 },
      );
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, expected);
    });
  }
});
