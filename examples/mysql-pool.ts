// A mysql2/promise Pool; each new connection signs in with a current token through mysql_clear_password.
import { createMysqlPool } from 'rdsiam';

const pool = await createMysqlPool();
try {
  const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.query('SELECT ? AS n', [n])));
  console.log(`pool answered ${answers.map(([rows]) => (rows as { n: number }[])[0]?.n).join(',')}`);
} finally {
  await pool.end();
}
