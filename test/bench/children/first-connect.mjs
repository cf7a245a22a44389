// One fresh process: import, first connect, SELECT 1, close. Reports ms since the process started.
// argv[2]: ours | peer. Credentials come from AWS_* env vars, the config from RDSIAM_* env vars (ours).
import { engine, server, ca, report } from './env.mjs';

const which = process.argv[2];
if (which === 'ours') {
  const { connectFromConfig } = await import('../../../dist/index.js');
  const conn = await connectFromConfig();
  await conn.query('SELECT 1');
  await conn.end();
} else if (engine === 'mysql') {
  const { connect } = await import('node:net');
  const { AwsMySQLClient } = await import('aws-advanced-nodejs-wrapper/mysql');
  const client = new AwsMySQLClient({
    host: server.endpoint, port: server.port, user: server.iamUser, database: server.database,
    plugins: 'iam', dialect: 'mysql', iamHost: server.endpoint, iamRegion: server.region, enableCleartextPlugin: true,
    ssl: { ca, rejectUnauthorized: true }, stream: () => connect({ host: server.host, port: server.port }),
  });
  await client.connect();
  await client.query({ sql: 'SELECT 1' });
  await client.end();
} else {
  const { AwsPGClient } = await import('aws-advanced-nodejs-wrapper/pg');
  const client = new AwsPGClient({
    host: server.host, port: server.port, user: server.iamUser, database: server.database,
    plugins: 'iam', iamHost: server.endpoint, iamRegion: server.region,
    ssl: { ca, servername: server.endpoint, rejectUnauthorized: true },
  });
  await client.connect();
  await client.query({ text: 'SELECT 1' });
  await client.end();
}
report({ ms: performance.now() });
