// Aurora DSQL: the PostgreSQL wire with a DSQL token. The user `admin` gets an admin token
// (dsql:DbConnectAdmin), any other role a DbConnect token. Database defaults to `postgres`, port to 5432.
//   RDSIAM_DSN=postgres://admin@abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws RDSIAM_PLUGINS=iam_dsql
// DSQL tokens may live longer than RDS ones: iam_expiration may go up to 604800 s with iam_dsql.
import { connectPg } from 'rdsiam';

const client = await connectPg();
try {
  const { rows } = await client.query<{ user: string; db: string }>(
    'SELECT current_user AS "user", current_database() AS db',
  );
  console.log(`DSQL connected as ${rows[0]?.user} to ${rows[0]?.db}`);
} finally {
  await client.end();
}
