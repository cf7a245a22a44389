// One fresh process: 200 concurrent connects on a cold cache, credentials from the container endpoint in
// AWS_CONTAINER_CREDENTIALS_FULL_URI (which counts fetches). Signings are counted in-process, for all three
// contenders alike, on the one @aws-sdk/rds-signer Signer class they share.
// argv[2]: ours | peer | hand-wired.
import { Signer } from '@aws-sdk/rds-signer';
import { engine, server, ca, report } from './env.mjs';

const N = Number(process.env.BENCH_BURST ?? 200);
let signed = 0;
const sign = Signer.prototype.getAuthToken;
Signer.prototype.getAuthToken = function (...args) {
  signed++;
  return sign.apply(this, args);
};

const which = process.argv[2];
let connectOnce;
if (which === 'ours') {
  const { connectFromConfig } = await import('../../../dist/index.js');
  connectOnce = () => connectFromConfig();
} else if (which === 'peer') {
  if (engine === 'mysql') {
    const { connect } = await import('node:net');
    const { AwsMySQLClient } = await import('aws-advanced-nodejs-wrapper/mysql');
    connectOnce = async () => {
      const c = new AwsMySQLClient({
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
      await c.connect();
      return c;
    };
  } else {
    const { AwsPGClient } = await import('aws-advanced-nodejs-wrapper/pg');
    connectOnce = async () => {
      const c = new AwsPGClient({
        host: server.host,
        port: server.port,
        user: server.iamUser,
        database: server.database,
        plugins: 'iam',
        iamHost: server.endpoint,
        iamRegion: server.region,
        ssl: { ca, servername: server.endpoint, rejectUnauthorized: true },
      });
      await c.connect();
      return c;
    };
  }
} else {
  // What the AWS documentation's sample does, per connection: a new Signer (default credential chain), a token, a client.
  const pg = (await import('pg')).default;
  connectOnce = async () => {
    const signer = new Signer({
      hostname: server.endpoint,
      port: server.port,
      username: server.iamUser,
      region: server.region,
    });
    const password = await signer.getAuthToken();
    const c = new pg.Client({
      host: server.host,
      port: server.port,
      user: server.iamUser,
      database: server.database,
      password,
      ssl: { ca, servername: server.endpoint, rejectUnauthorized: true },
    });
    await c.connect();
    return c;
  };
}

const started = performance.now();
const results = await Promise.allSettled(Array.from({ length: N }, () => connectOnce()));
const wallMs = performance.now() - started;
await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.end() : undefined)));
const failed = results.filter((r) => r.status === 'rejected');
report({
  tokensSigned: signed,
  wallMs,
  ok: N - failed.length,
  failed: failed.length,
  firstError: failed[0]?.reason?.message,
});
