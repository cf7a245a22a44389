// A pg.Pool for a long-running service. Every new physical connection takes a token that is valid now,
// so the pool keeps working hours after the first 15-minute token expired.
import { createPgPool } from 'rdsiam';

const pool = await createPgPool();
try {
  const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.query<{ n: number }>('SELECT $1::int AS n', [n])));
  console.log(`pool answered ${answers.map((r) => r.rows[0]?.n).join(',')} on ${pool.totalCount} connection(s)`);
} finally {
  await pool.end();
}
