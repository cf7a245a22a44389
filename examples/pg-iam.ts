// IAM authentication to RDS / Aurora PostgreSQL: the rdsiam take on the AWS documentation's Node.js sample
// ("Connecting to your DB instance using IAM authentication and the AWS SDK for JavaScript").
// The config comes from .rdsiamrc / RDSIAM_* variables, e.g.
//   RDSIAM_DSN=postgres://app_user@mydb.123456789012.us-east-1.rds.amazonaws.com:5432/app RDSIAM_PLUGINS=iam
import { connectPg } from 'rdsiam';

// A token is signed with the default AWS credentials, sent over verify-full TLS (Amazon RDS CA bundle) and cached.
const client = await connectPg();
try {
  const { rows } = await client.query<{ now: Date }>('SELECT now() AS now');
  console.log(`connected; the database says it is ${rows[0]?.now.toISOString()}`);
} finally {
  await client.end();
}
