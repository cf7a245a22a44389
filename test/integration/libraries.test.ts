// The library builders against the real test bed: every library's own pool opens new physical connections
// across token lifetimes, each with a current token, and a refused cached token is retried where the library
// lets rdsiam hook in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { QueryTypes, Sequelize } from 'sequelize';
import { MikroORM as PgMikroORM } from '@mikro-orm/postgresql';
import { MikroORM as MysqlMikroORM } from '@mikro-orm/mysql';
import postgres from 'postgres';
// The previous majors, still supported, from their own node_modules (test/fixtures/previous-majors).
import { DataSource03, MysqlMikroORM6, PgMikroORM6 } from 'rdsiam-previous-majors';
import { createPool as createMariadbPool } from 'mariadb';
import {
  connectFromConfig,
  mariadbPoolOptionsFromConfig,
  mikroOrmOptionsFromConfig,
  postgresOptionsFromConfig,
  sequelizeOptionsFromConfig,
  typeormOptionsFromConfig,
  type ConnectOptions,
} from '../../src/index.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { testbedOptions, testbedReader, type Server } from '../support/testbed-config.js';

/** A library's pool behind one small interface: who am I, close. */
interface Db {
  whoami(): Promise<string>;
  close(): Promise<void>;
}

const WHOAMI: Record<Server, string> = {
  postgres: 'SELECT current_user AS who',
  dsql: 'SELECT current_user AS who',
  mysql: 'SELECT SUBSTRING_INDEX(CURRENT_USER(), "@", 1) AS who',
};

// No entity manager is used: the MikroORM tests run raw SQL on the connection.
const MIKRO_ORM_TEST_SETTINGS = { entities: [], discovery: { warnWhenNoEntities: false }, allowGlobalContext: true };

/** MikroORM 6 or 7, either engine, as the tests use it. */
function mikroOrmDb(
  orm: { em: { getConnection(): { execute(sql: string): Promise<unknown> } }; close(force: boolean): Promise<void> },
  server: Server,
) {
  return {
    whoami: async () => who(await orm.em.getConnection().execute(WHOAMI[server])),
    close: () => orm.close(true),
  };
}

function who(rows: unknown): string {
  return String((rows as { who: unknown }[])[0]?.who);
}

interface Library {
  name: string;
  servers: Server[];
  open(server: Server, options: ConnectOptions): Promise<Db>;
}

const LIBRARIES: Library[] = [
  {
    name: 'TypeORM',
    servers: ['postgres', 'mysql'],
    async open(server, options) {
      const dataSource = await new DataSource(await typeormOptionsFromConfig(options)).initialize();
      return { whoami: async () => who(await dataSource.query(WHOAMI[server])), close: () => dataSource.destroy() };
    },
  },
  {
    name: 'TypeORM 0.3',
    servers: ['postgres', 'mysql'],
    async open(server, options) {
      const dataSource = await new DataSource03(await typeormOptionsFromConfig(options)).initialize();
      return { whoami: async () => who(await dataSource.query(WHOAMI[server])), close: () => dataSource.destroy() };
    },
  },
  {
    name: 'Sequelize',
    servers: ['postgres', 'mysql'],
    async open(server, options) {
      const sequelize = new Sequelize(await sequelizeOptionsFromConfig({ ...options, merge: { logging: false } }));
      return {
        whoami: async () => who(await sequelize.query(WHOAMI[server], { type: QueryTypes.SELECT })),
        close: () => sequelize.close(),
      };
    },
  },
  {
    name: 'MikroORM',
    servers: ['postgres', 'mysql'],
    async open(server, options) {
      const settings = { ...(await mikroOrmOptionsFromConfig(options)), ...MIKRO_ORM_TEST_SETTINGS };
      const orm = server === 'mysql' ? await MysqlMikroORM.init(settings) : await PgMikroORM.init(settings);
      // MikroORM 7.2 connects lazily, and queries that start together each connect and make a pool of their own, of
      // which close() ends only the last (mysql2's idle-cleanup timer of the others keeps the process alive).
      await orm.connect();
      return mikroOrmDb(orm, server);
    },
  },
  {
    name: 'MikroORM 6',
    servers: ['postgres', 'mysql'],
    async open(server, options) {
      // MikroORM 6 compares its version with the @mikro-orm packages of the project it runs in: here, MikroORM 7's.
      process.env['MIKRO_ORM_ALLOW_VERSION_MISMATCH'] = '1';
      const init = {
        ...(await mikroOrmOptionsFromConfig({ ...options, major: 6 })),
        ...MIKRO_ORM_TEST_SETTINGS,
        connect: false,
      };
      const orm = server === 'mysql' ? await MysqlMikroORM6.init(init) : await PgMikroORM6.init(init);
      // Connected here rather than in init, so that a failed first connect still closes Knex's pool.
      await orm.connect().catch(async (err: unknown) => {
        await orm.close(true);
        throw err;
      });
      return mikroOrmDb(orm, server);
    },
  },
  {
    name: 'postgres.js',
    servers: ['postgres', 'dsql'],
    async open(server, options) {
      const sql = postgres(await postgresOptionsFromConfig(options));
      return { whoami: async () => who(await sql.unsafe(WHOAMI[server])), close: () => sql.end() };
    },
  },
  {
    name: 'mariadb',
    servers: ['mysql'],
    async open(server, options) {
      const pool = createMariadbPool(await mariadbPoolOptionsFromConfig(options));
      return { whoami: async () => who(await pool.query(WHOAMI[server])), close: () => pool.end() };
    },
  },
];

function loginUser(tb: Testbed, server: Server): string {
  const s = tb[server];
  return 'iamUser' in s ? s.iamUser : s.adminUser;
}

describe('libraries: new pooled connections across token lifetimes', { concurrency: true }, () => {
  for (const library of LIBRARIES) {
    for (const server of library.servers) {
      test(`${library.name} (${server}) keeps opening connections with current tokens`, {
        timeout: 60_000,
      }, async (t) => {
        const tb = await requireTestbed(t);
        if (!tb) return;
        // The verifier refuses tokens over 5 s old (counted from X-Amz-Date, whole seconds); the cache serves one
        // for at most 2 s; connections idle out between bursts, so bursts after the first 5 s open connections that
        // need a newer token. The margin leaves a loaded machine a second or more between signing and login.
        const key = await tb.newKey({ maxTokenAgeSeconds: 5 });
        const creds = countingCredentials(key);
        const options = testbedOptions(tb, server, creds.provider, {
          iam_expiration: 2,
          pool: { max: 4, idle_timeout_ms: 200 },
        });
        const db = await library.open(server, options);
        const results: PromiseSettledResult<string>[] = [];
        const started = Date.now();
        try {
          while (Date.now() - started < 6_000) {
            results.push(...(await Promise.allSettled(Array.from({ length: 4 }, () => db.whoami()))));
            await sleep(1_300);
          }
        } finally {
          await db.close();
        }
        assert.deepEqual(
          results.filter((r) => r.status === 'rejected'),
          [],
          'no query failed',
        );
        assert.ok(results.every((r) => r.status === 'fulfilled' && r.value === loginUser(tb!, server)));
        const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
        assert.ok(
          logins.every((l) => l.verdict === 'ok'),
          `the verifier refused a login: ${JSON.stringify(logins.map((l) => l.detail))}`,
        );
        const tokens = new Set(logins.map((l) => l.signatureFingerprint));
        assert.ok(tokens.size >= 2, `${tokens.size} token(s) over 6 s of 2 s lifetimes`);
        assert.ok(logins.length >= 4, `${logins.length} physical connections`);
        assert.equal(creds.calls(), 1);
      });
    }
  }
});

/**
 * Caches a token for this key, then makes the verifier refuse it: the next login must sign a fresh one. The
 * verifier counts a token's age from X-Amz-Date in whole seconds, so a fresh token has under 2 s to log in
 * with a limit of 3 s: enough on a loaded machine, where 1 s is not.
 */
async function refuseCachedToken(
  bed: Testbed,
  server: Server,
): Promise<{ options: ConnectOptions; accessKeyId: string }> {
  const key = await bed.newKey();
  const options = testbedOptions(bed, server, countingCredentials(key).provider);
  const db = await connectFromConfig(options);
  await db.end();
  await sleep(4_100);
  await bed.verifier.addKey({ ...key, maxTokenAgeSeconds: 3 });
  return { options, accessKeyId: key.accessKeyId };
}

// TypeORM takes rdsiam's driver module and Sequelize retries a query whose login was refused: both retry once.
const RETRYING = LIBRARIES.filter((l) => l.name.startsWith('TypeORM') || l.name === 'Sequelize');

describe('libraries: a refused cached token is retried once', { concurrency: true }, () => {
  for (const library of RETRYING) {
    for (const server of library.servers) {
      test(`${library.name} (${server}) replaces the refused token and serves the query`, {
        timeout: 30_000,
      }, async (t) => {
        const tb = await requireTestbed(t);
        if (!tb) return;
        const { options, accessKeyId } = await refuseCachedToken(tb, server);
        const db = await library.open(server, options);
        try {
          assert.equal(await db.whoami(), loginUser(tb, server));
        } finally {
          await db.close();
        }
        // The first login cached the token; the second sent it and was refused; every later one (the retry, and
        // Sequelize's own version check on a second connection) had a fresh token.
        const verdicts = (await tb.verifier.logins({ accessKeyId })).map((l) => l.verdict === 'ok');
        assert.deepEqual(verdicts.slice(0, 3), [true, false, true]);
        assert.deepEqual(
          verdicts.filter((ok) => !ok),
          [false],
          'one refusal, no loop',
        );
      });
    }
  }

  // MikroORM 7 hands pg rdsiam's password function, which sees the refusal; MikroORM 6's Knex gives pg a string.
  const DROPPING: [string, Server][] = [
    ['MikroORM', 'postgres'],
    ['MikroORM 6', 'mysql'],
  ];
  for (const [name, server] of DROPPING) {
    test(`${name} (${server}) drops the refused token: that connect fails, the next one signs a fresh token`, {
      timeout: 30_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const { options, accessKeyId } = await refuseCachedToken(tb, server);
      const mikroOrm = LIBRARIES.find((l) => l.name === name)!;
      // The first query opens the first connection (MikroORM 6 runs one in init, MikroORM 7 connects lazily).
      const firstQuery = async () => {
        const db = await mikroOrm.open(server, options);
        try {
          return await db.whoami();
        } finally {
          await db.close();
        }
      };
      await assert.rejects(firstQuery, /Access denied|authentication failed/);
      assert.equal(await firstQuery(), loginUser(tb, server));
      const logins = await tb.verifier.logins({ accessKeyId });
      assert.deepEqual(
        logins.map((l) => l.verdict === 'ok'),
        [true, false, true],
      );
    });
  }
});

describe('libraries: Sequelize read replicas', () => {
  test('each replica signs in as its own user with a token for its own endpoint', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const p = tb.postgres;
    const options = testbedOptions(tb, 'postgres', countingCredentials(key).provider, {
      connections: { reader: testbedReader(tb) },
    });
    const sequelize = new Sequelize(
      await sequelizeOptionsFromConfig({ ...options, readers: ['reader'], merge: { logging: false } }),
    );
    try {
      // SELECTs go to a read replica; useMaster sends one to the writer.
      const read = await sequelize.query(WHOAMI.postgres, { type: QueryTypes.SELECT });
      const written = await sequelize.query(WHOAMI.postgres, { type: QueryTypes.SELECT, useMaster: true });
      assert.equal(who(read), p.readerUser);
      assert.equal(who(written), p.iamUser);
    } finally {
      await sequelize.close();
    }
    const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
    assert.ok(logins.every((l) => l.verdict === 'ok'));
    assert.deepEqual(new Set(logins.map((l) => l.user)), new Set([p.iamUser, p.readerUser]));
    const writerTokens = new Set(logins.filter((l) => l.user === p.iamUser).map((l) => l.signatureFingerprint));
    const readerLogins = logins.filter((l) => l.user === p.readerUser);
    assert.ok(
      readerLogins.every((l) => !writerTokens.has(l.signatureFingerprint)),
      "the reader never got the writer's token",
    );
  });
});
