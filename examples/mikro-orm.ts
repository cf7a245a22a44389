// MikroORM 6 with its PostgreSQL driver (for MySQL, import MikroORM from '@mikro-orm/mysql'; the options are the
// same call). Every connection Knex opens under MikroORM asks for the password again and gets a current token.
import { MikroORM } from '@mikro-orm/postgresql';
import { mikroOrmOptionsFromConfig } from 'rdsiam';

const orm = await MikroORM.init({
  ...(await mikroOrmOptionsFromConfig()),
  entities: [],
  discovery: { warnWhenNoEntities: false },
});
try {
  const [row] = await orm.em.getConnection().execute<{ who: string }[]>('SELECT current_user AS who');
  console.log(`mikro-orm connected as ${row?.who}`);
} finally {
  await orm.close();
}
