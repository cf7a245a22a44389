// TypeORM 0.3 on PostgreSQL (pg) or MySQL (mysql2), by the DSN. typeormOptionsFromConfig gives DataSource options
// whose pool signs every new connection in with a current token (pg: a password function, mysql2: the
// mysql_clear_password plugin, both through `extra`) and retries a refused cached token once. Your own options
// (entities, migrations, ...) go in `merge`; a `password` or `url` there is refused, as it would defeat the token.
import { DataSource } from 'typeorm';
import { typeormOptionsFromConfig } from 'rdsiam';

const dataSource = new DataSource(await typeormOptionsFromConfig({ merge: { entities: [] } }));
await dataSource.initialize();
try {
  const [row] = (await dataSource.query('SELECT CURRENT_USER AS who')) as { who: string }[];
  console.log(`typeorm connected as ${row?.who}`);
} finally {
  await dataSource.destroy();
}
