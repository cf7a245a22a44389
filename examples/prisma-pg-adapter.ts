// Prisma ORM with its pg driver adapter on an IAM-authenticated pool. In an app, hand the adapter to the client:
//   const prisma = new PrismaClient({ adapter });
// This example has no generated Prisma client, so it drives the adapter directly, as Prisma would.
import { PrismaPg } from '@prisma/adapter-pg';
import { createPgPool } from 'rdsiam';

const pool = await createPgPool();
const adapter = new PrismaPg(pool);
const connection = await adapter.connect();
try {
  const result = await connection.queryRaw({ sql: 'SELECT current_user AS "user"', args: [], argTypes: [] });
  console.log(`prisma adapter connected as ${String(result.rows[0]?.[0])}`);
} finally {
  await connection.dispose();
  await pool.end();
}
