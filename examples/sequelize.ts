// Sequelize 6 on PostgreSQL (pg) or MySQL (mysql2), by the DSN. Every new pooled connection gets a current token,
// and a query whose new connection was refused is retried once with a fresh one. A `reader` connection in the
// rdsiam config becomes a read replica that signs its own token, for its own endpoint and user.
import { QueryTypes, Sequelize } from 'sequelize';
import { loadConfig, sequelizeOptionsFromConfig } from 'rdsiam';

const readers = (await loadConfig()).connectionNames.filter((name) => name === 'reader');
const sequelize = new Sequelize(await sequelizeOptionsFromConfig({ readers, merge: { logging: false } }));
try {
  const whoami = 'SELECT CURRENT_USER AS who';
  const [writer] = await sequelize.query<{ who: string }>(whoami, { type: QueryTypes.SELECT, useMaster: true });
  const [reader] = await sequelize.query<{ who: string }>(whoami, { type: QueryTypes.SELECT });
  console.log(`sequelize connected as ${writer?.who}${readers.length > 0 ? `, reads as ${reader?.who}` : ''}`);
} finally {
  await sequelize.close();
}
