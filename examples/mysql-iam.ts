// IAM authentication to RDS / Aurora MySQL: the rdsiam take on the AWS documentation's Node.js sample.
// The config comes from .rdsiamrc / RDSIAM_* variables, e.g.
//   RDSIAM_DSN=mysql://app_user@mydb.123456789012.us-east-1.rds.amazonaws.com:3306/app RDSIAM_PLUGINS=iam
// The database user must be created with: CREATE USER app_user IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS';
import { connectMysql } from 'rdsiam';

// mysql2/promise Connection; the token goes through the mysql_clear_password plugin, over verify-full TLS only.
const connection = await connectMysql();
try {
  const [rows] = await connection.query('SELECT NOW() AS now');
  console.log(`connected; the database says it is ${String((rows as { now: Date }[])[0]?.now.toISOString())}`);
} finally {
  await connection.end();
}
