// One fresh process: import, first connect, SELECT 1, close. Reports ms since the process started.
// argv[2]: ours | hand-wired | peer. Credentials come from AWS_* variables (the default chain); the connection from
// RDSIAM_* variables (ours), HW_* variables (hand-wired, as an app's own settings) or the test bed state (peer).
import { report } from './report.mjs';

const which = process.argv[2];
const engine = process.env.BENCH_ENGINE ?? 'postgres';
if (which === 'ours') {
  const { connectFromConfig } = await import('../../../dist/index.js');
  const conn = await connectFromConfig();
  await conn.query('SELECT 1');
  await conn.end();
} else if (which === 'hand-wired') {
  // What an app writes by hand: its driver and @aws-sdk/rds-signer, the token signed when the server asks for it,
  // TLS verified against the same CA and endpoint name.
  const { readFileSync } = await import('node:fs');
  const { Signer } = await import('@aws-sdk/rds-signer');
  const { HW_HOST, HW_PORT, HW_ENDPOINT, HW_USER, HW_DATABASE, HW_REGION, HW_CA } = process.env;
  const port = Number(HW_PORT);
  const signer = new Signer({ hostname: HW_ENDPOINT, port, username: HW_USER, region: HW_REGION });
  const ca = readFileSync(HW_CA, 'utf8');
  if (engine === 'mysql') {
    const { connect } = await import('node:net');
    const mysql = (await import('mysql2/promise')).default;
    const conn = await mysql.createConnection({
      host: HW_ENDPOINT,
      port,
      user: HW_USER,
      database: HW_DATABASE,
      ssl: { ca, rejectUnauthorized: true, verifyIdentity: true },
      stream: () => connect({ host: HW_HOST, port }),
      authPlugins: { mysql_clear_password: () => async () => Buffer.from(`${await signer.getAuthToken()}\0`) },
    });
    await conn.query('SELECT 1');
    await conn.end();
  } else {
    const pg = (await import('pg')).default;
    const client = new pg.Client({
      host: HW_HOST,
      port,
      user: HW_USER,
      database: HW_DATABASE,
      password: () => signer.getAuthToken(),
      ssl: { ca, servername: HW_ENDPOINT, rejectUnauthorized: true },
    });
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
  }
} else {
  const { server, ca } = await import('./env.mjs');
  if (engine === 'mysql') {
    const { connect } = await import('node:net');
    const { AwsMySQLClient } = await import('aws-advanced-nodejs-wrapper/mysql');
    const client = new AwsMySQLClient({
      host: server.endpoint,
      port: server.port,
      user: server.iamUser,
      database: server.database,
      plugins: 'iam',
      dialect: 'mysql',
      iamHost: server.endpoint,
      iamRegion: server.region,
      enableCleartextPlugin: true,
      ssl: { ca, rejectUnauthorized: true },
      stream: () => connect({ host: server.host, port: server.port }),
    });
    await client.connect();
    await client.query({ sql: 'SELECT 1' });
    await client.end();
  } else {
    const { AwsPGClient } = await import('aws-advanced-nodejs-wrapper/pg');
    const client = new AwsPGClient({
      host: server.host,
      port: server.port,
      user: server.iamUser,
      database: server.database,
      plugins: 'iam',
      iamHost: server.endpoint,
      iamRegion: server.region,
      ssl: { ca, servername: server.endpoint, rejectUnauthorized: true },
    });
    await client.connect();
    await client.query({ text: 'SELECT 1' });
    await client.end();
  }
}
report({ ms: performance.now() });
