import pg from 'pg';
import type mysql from 'mysql2/promise';

/** The two driver shapes behind one small interface: run SELECT, close. */
export interface Db {
  one(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

/** A connected pg or mysql2 client or pool, as a `Db`. */
export function wrapDb(conn: unknown): Db {
  if (conn instanceof pg.Client || conn instanceof pg.Pool) {
    const c = conn as pg.Client | pg.Pool;
    // A pg client whose server goes away emits 'error' besides failing its query: an application listens for it.
    if (c instanceof pg.Client) c.on('error', () => {});
    return { one: async (sql) => (await c.query(sql)).rows[0], close: () => c.end() };
  }
  const c = conn as mysql.Connection | mysql.Pool;
  return { one: async (sql) => ((await c.query(sql)) as [unknown[], unknown])[0][0], close: () => c.end() };
}
