// The 30-second start: describe the database once, in .rdsiamrc.yaml (or RDSIAM_* variables), and connect.
//   dsn: postgres://app_user@mydb.123456789012.us-east-1.rds.amazonaws.com:5432/app
//   plugins: iam
// connectFromConfig() reads that, signs an IAM token with the default AWS credentials, and connects over verify-full
// TLS: a pg.Client for a postgres:// DSN, a mysql2/promise Connection for a mysql:// one. connectPg() and
// connectMysql() are the same, typed for one engine.
import { connectFromConfig } from 'rdsiam';

const db = await connectFromConfig();
try {
  const sql = 'SELECT CURRENT_USER AS who';
  // pg answers `{ rows }`, mysql2 `[rows, fields]`.
  const rows = 'escapeLiteral' in db ? (await db.query(sql)).rows : (await db.query(sql))[0];
  console.log(`connected as ${(rows as { who: string }[])[0]?.who}`);
} finally {
  await db.end();
}
