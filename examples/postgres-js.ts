// postgres.js (the `postgres` package) on PostgreSQL or Aurora DSQL. Its password may be a function, called for
// every new connection ("Dynamic passwords" in its README): postgresOptionsFromConfig gives one that returns a
// current token, and TLS verified with the RDS CA against the endpoint name.
import postgres from 'postgres';
import { postgresOptionsFromConfig } from 'rdsiam';

const sql = postgres(await postgresOptionsFromConfig());
try {
  const [row] = await sql<{ who: string; db: string }[]>`SELECT current_user AS who, current_database() AS db`;
  console.log(`postgres.js connected as ${row?.who} to ${row?.db}`);
} finally {
  await sql.end();
}
