// `rdsiam proxy` while its database restarts, through a loopback front end that relays to the test bed (restarting
// the shared servers would disturb the test files running beside this one): a session the server interrupts gets the
// server's own error, a query whose database goes without a word gets the protocol's "connection lost" from the
// proxy, and a client that connects while the database is down or starting up rides through on the connect retries,
// through the same proxy process.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { closedPort, type FakeFrontEnd, type FrontEndAnswer, startFakeFrontEnd } from '../support/fake-front-end.js';
import { testbedEnv } from '../support/testbed-config.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';
import { startProxy } from './proxy-support.js';

type Engine = 'postgres' | 'mysql';

/** What a database says to a login while it starts up. */
const STARTING: Record<Engine, FrontEndAnswer> = {
  postgres: { kind: 'error', code: '57P03', message: 'the database system is starting up' },
  mysql: { kind: 'error', errno: 1053, code: '08S01', message: 'Server shutdown in progress' },
};

/** One client through the proxy, as its engine's driver sees it. */
interface Client {
  /** The database's id for the session (what pg_terminate_backend and KILL take). */
  id: number;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

async function openClient(engine: Engine, tb: Testbed, port: number): Promise<Client> {
  const s = tb[engine];
  if (engine === 'postgres') {
    const client = new pg.Client({ host: '127.0.0.1', port, user: s.iamUser, database: s.database });
    client.on('error', () => {});
    await client.connect();
    const { rows } = await client.query('select pg_backend_pid() as id');
    return { id: rows[0].id, query: (sql) => client.query(sql), end: () => client.end() };
  }
  const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: s.iamUser, database: s.database });
  conn.on('error', () => {});
  return {
    id: conn.threadId,
    query: (sql) => conn.query(sql),
    end: () => conn.end(),
  };
}

const SLEEP: Record<Engine, string> = { postgres: 'select pg_sleep(20)', mysql: 'select sleep(20)' };
/**
 * The server stops a session's query from another session, and the error the client gets from the server: PostgreSQL
 * ends the backend with the FATAL a shutdown sends each one; MariaDB's KILL CONNECTION sends nothing, so its KILL QUERY,
 * whose error leaves the session open.
 */
const INTERRUPT: Record<Engine, { sql: (id: number) => string; field: 'code' | 'errno'; code: string | number }> = {
  postgres: { sql: (id) => `select pg_terminate_backend(${id})`, field: 'code', code: '57P01' },
  mysql: { sql: (id) => `kill query ${id}`, field: 'errno', code: 1317 },
};
/** What the proxy answers a query whose database went without a word: the protocol's own "connection lost". */
const LOST: Record<Engine, { field: 'code' | 'errno'; code: string | number }> = {
  postgres: { field: 'code', code: '08006' },
  mysql: { field: 'errno', code: 2013 },
};

for (const engine of ['postgres', 'mysql'] as const) {
  describe(`rdsiam proxy for ${engine} while the database restarts`, () => {
    test("the server's error reaches its session; a query cut off gets the protocol's connection-lost error; a client during the restart rides through", {
      timeout: 90_000,
    }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const s = tb[engine];
      const port = await closedPort();
      const front = await startFakeFrontEnd(tb, engine, () => ({ kind: 'relay' }), port);
      t.after(() => front.close());
      const env = testbedEnv(tb, engine, await tb.newKey(), {
        RDSIAM_DSN: `${engine}://${s.iamUser}@127.0.0.1:${port}/${s.database}`,
        RDSIAM_IAM_DEFAULT_PORT: String(s.port),
      });
      const proxy = await startProxy(['--listen', '127.0.0.1:0', '--json'], env);
      t.after(() => proxy.stop());

      // The server stops a session's query: the client gets the server's own error, as the server sent it.
      const stopped = await openClient(engine, tb, proxy.port);
      const other = await openClient(engine, tb, proxy.port);
      const sleeping = failure(stopped.query(SLEEP[engine]));
      await new Promise((r) => setTimeout(r, 300));
      const interrupt = INTERRUPT[engine];
      await other.query(interrupt.sql(stopped.id));
      const err = await sleeping;
      assert.equal(err[interrupt.field], interrupt.code, `${err.code ?? err.errno}: ${err.message}`);
      await other.end();
      if (engine === 'mysql') await stopped.end();

      // The database goes away with a query running (the front end drops every session and stops listening).
      const cut = await openClient(engine, tb, proxy.port);
      const running = failure(cut.query(SLEEP[engine]));
      await new Promise((r) => setTimeout(r, 300));
      await front.close();
      const lost = await running;
      assert.equal(lost[LOST[engine].field], LOST[engine].code, `${lost.code ?? lost.errno}: ${lost.message}`);
      assert.match(String(lost.message), /rdsiam proxy lost its connection to the database at 127\.0\.0\.1:\d+ /);

      // A client connecting now is refused upstream, then told the database is starting up, then served.
      const back = new Promise<FakeFrontEnd>((resolve) =>
        setTimeout(
          () => resolve(startFakeFrontEnd(tb, engine, (n) => (n < 2 ? STARTING[engine] : { kind: 'relay' }), port)),
          700,
        ),
      );
      t.after(async () => (await back).close());
      const late = await openClient(engine, tb, proxy.port);
      assert.deepEqual(await late.query('select 1 as one').then(rowsOf), [{ one: 1 }]);
      await late.end();
      assert.equal((await back).refused, 2, 'the two logins while it started up were retried');
      const after = await openClient(engine, tb, proxy.port);
      assert.deepEqual(await after.query('select 2 as two').then(rowsOf), [{ two: 2 }]);
      await after.end();
      assert.equal(await proxy.stop(), 0);
    });
  });
}

/** How `query` failed; it fails the test if it succeeds. Caught at once: it may fail while the test awaits another. */
function failure(query: Promise<unknown>): Promise<Record<string, unknown>> {
  return query.then(
    () => assert.fail('the query was expected to fail'),
    (err: unknown) => err as Record<string, unknown>,
  );
}

/** The rows of a pg result or a mysql2 [rows, fields] pair, as plain objects with numbers. */
function rowsOf(result: unknown): Record<string, number>[] {
  const rows = Array.isArray(result) ? result[0] : (result as { rows: unknown }).rows;
  return (rows as Record<string, unknown>[]).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])),
  );
}
