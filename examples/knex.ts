// Knex with the pg client. Knex builds its own pool from plain options: pgPoolOptionsFromConfig gives them,
// with the password as a function, so each connection Knex opens signs in with a current token.
import knexFactory from 'knex';
import { pgPoolOptionsFromConfig } from 'rdsiam';

const { host, port, user, database, password, ssl, connectionTimeoutMillis, max } = await pgPoolOptionsFromConfig();
const knex = knexFactory({
  client: 'pg',
  connection: { host, port, user, database, password, ssl, connectionTimeoutMillis },
  pool: { min: 0, max: max ?? 10 },
});
try {
  const result = await knex.raw<{ rows: { user: string }[] }>('SELECT current_user AS "user"');
  console.log(`knex connected as ${result.rows[0]?.user}`);
} finally {
  await knex.destroy();
}
