// pool.max_lifetime_s on real servers: a pooled connection older than that is replaced by a new one (pg: the pool's
// own maxLifetimeSeconds; mysql2: rdsiam closes it when it is next taken). DSQL pools default to 3300 s.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool as MysqlPool } from 'mysql2/promise';
import type { Pool as PgPool } from 'pg';
import { createMysqlPool, createPgPool, pgPoolOptionsFromConfig } from '../../src/index.js';
import { requireTestbed } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { testbedOptions } from '../support/testbed-config.js';

const LIFETIME_S = 1;

/** The server's id of the connection a query ran on. */
const backend = {
  postgres: async (pool: PgPool) =>
    Number((await pool.query<{ id: number }>('SELECT pg_backend_pid() AS id')).rows[0]!.id),
  mysql: async (pool: MysqlPool) =>
    Number(((await pool.query('SELECT CONNECTION_ID() AS id')) as [Array<{ id: number }>, unknown])[0][0]!.id),
};

describe('pool.max_lifetime_s', () => {
  test('pg and mysql2 pools replace a connection once it is older than pool.max_lifetime_s, not before', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    await Promise.all(
      (['postgres', 'mysql'] as const).map(async (server) => {
        const key = await tb.newKey();
        const options = testbedOptions(tb, server, countingCredentials(key).provider, {
          pool: { max: 1, max_lifetime_s: LIFETIME_S },
        });
        const pool = server === 'postgres' ? await createPgPool(options) : await createMysqlPool(options);
        const id = () => (server === 'postgres' ? backend.postgres(pool as PgPool) : backend.mysql(pool as MysqlPool));
        try {
          const first = await id();
          assert.equal(await id(), first, `${server}: a young connection is reused`);
          await sleep(LIFETIME_S * 1000 + 200);
          const later = await id();
          assert.notEqual(later, first, `${server}: an old connection is replaced`);
          assert.equal(await id(), later, `${server}: its replacement is reused`);
        } finally {
          await pool.end();
        }
        // Each physical connection signed in with a token of its own time.
        assert.deepEqual(
          (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).map((l) => l.verdict),
          ['ok', 'ok'],
        );
      }),
    );
  });

  test('a DSQL pool closes connections before DSQL does: 3300 s unless set, 0 turns it off', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const dsql = (overrides: Record<string, unknown> = {}) =>
      testbedOptions(tb, 'dsql', countingCredentials(key).provider, overrides);
    assert.equal((await pgPoolOptionsFromConfig(dsql())).maxLifetimeSeconds, 3300);
    assert.equal((await pgPoolOptionsFromConfig(dsql({ pool: { max_lifetime_s: 600 } }))).maxLifetimeSeconds, 600);
    assert.equal((await pgPoolOptionsFromConfig(dsql({ pool: { max_lifetime_s: 0 } }))).maxLifetimeSeconds, 0);
    assert.equal(
      (await pgPoolOptionsFromConfig(testbedOptions(tb, 'postgres', countingCredentials(key).provider)))
        .maxLifetimeSeconds,
      undefined,
    );
  });
});
