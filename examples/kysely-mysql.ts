// Kysely on MySQL. Kysely's MysqlDialect wants a callback-style mysql2 pool, so build one from the plain
// options mysqlPoolOptionsFromConfig gives: a mysql_clear_password plugin that fetches a current token per
// connection, and verified TLS.
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { mysqlPoolOptionsFromConfig } from 'rdsiam';

// biome-ignore lint/suspicious/noEmptyInterface: Kysely takes the table map as an interface; this example has none.
interface Database {
  // Your tables here; this example only runs raw SQL.
}

const db = new Kysely<Database>({
  dialect: new MysqlDialect({ pool: createPool(await mysqlPoolOptionsFromConfig()) }),
});
try {
  const { rows } = await sql<{ user: string }>`SELECT CURRENT_USER() AS user`.execute(db);
  console.log(`kysely (mysql) connected as ${rows[0]?.user}`);
} finally {
  await db.destroy();
}
