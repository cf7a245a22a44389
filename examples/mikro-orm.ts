// MikroORM 7 with its PostgreSQL driver (for MySQL, import MikroORM from '@mikro-orm/mysql'; the options are the
// same call; on MikroORM 6 too: it finds the installed major, and `major: 6` gives 6's types). Every connection pg
// opens under MikroORM gets a current token.
import { MikroORM } from '@mikro-orm/postgresql';
import { mikroOrmOptionsFromConfig } from 'rdsiam';

const orm = await MikroORM.init({
  ...(await mikroOrmOptionsFromConfig()),
  entities: [],
  discovery: { warnWhenNoEntities: false },
});
// MikroORM 7.2 connects lazily, and first queries that start together would each make a pool: connect once here.
await orm.connect();
try {
  const [row] = await orm.em.getConnection().execute<{ who: string }[]>('SELECT current_user AS who');
  console.log(`mikro-orm connected as ${row?.who}`);
} finally {
  await orm.close();
}
