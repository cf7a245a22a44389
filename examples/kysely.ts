// Kysely on an IAM-authenticated pool. PostgresDialect takes a pool factory: createPgPool gives a pg.Pool
// whose new connections get fresh tokens (and one retry when a cached token is refused).
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createPgPool } from 'rdsiam';

// biome-ignore lint/suspicious/noEmptyInterface: Kysely takes the table map as an interface; this example has none.
interface Database {
  // Your tables here; this example only runs raw SQL.
}

const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: () => createPgPool() }) });
try {
  const { rows } = await sql<{ user: string }>`SELECT current_user AS user`.execute(db);
  console.log(`kysely connected as ${rows[0]?.user}`);
} finally {
  await db.destroy();
}
