// Prisma ORM 7 on MySQL goes through @prisma/adapter-mariadb, which runs on the `mariadb` connector. That connector
// has no password function or auth plugin hook; mariadbPoolOptionsFromConfig sets each new connection's token in
// the connector's `stream` option instead (see the README). In an app, hand the adapter to the client:
//   const prisma = new PrismaClient({ adapter: new PrismaMariaDb(await mariadbPoolOptionsFromConfig()) });
// This example has no generated Prisma client, so it drives the adapter directly, as Prisma would.
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { mariadbPoolOptionsFromConfig } from 'rdsiam';

const adapter = await new PrismaMariaDb(await mariadbPoolOptionsFromConfig()).connect();
try {
  const result = await adapter.queryRaw({ sql: 'SELECT CURRENT_USER() AS user', args: [], argTypes: [] });
  console.log(`prisma mariadb adapter connected as ${String(result.rows[0]?.[0])}`);
} finally {
  await adapter.dispose();
}
