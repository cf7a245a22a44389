// Drizzle ORM (node-postgres driver) on an IAM-authenticated pg.Pool.
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { createPgPool } from 'rdsiam';

const pool = await createPgPool();
const db = drizzle({ client: pool });
try {
  const result = await db.execute<{ user: string }>(sql`SELECT current_user AS user`);
  console.log(`drizzle connected as ${result.rows[0]?.user}`);
} finally {
  await pool.end();
}
