// `npm run demo`: rdsiam end to end against the local IAM test bed (real PostgreSQL and MariaDB servers
// whose PAM verifier checks each IAM token the way RDS does). Needs root to start the test bed, which installs the
// Debian packages it lacks (see docs/testbed.md).
import { subscribe } from 'node:diagnostics_channel';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  connectMysql,
  connectPg,
  createPgPool,
  getAuthToken,
  loadConfig,
  pgPoolOptionsFromConfig,
  type RdsIamEvents,
} from '../src/index.js';
import { ensureTestbed } from '../test/support/ensure-testbed.js';
import { TestbedNotReadyError } from '../test/testbed/requirements.js';

const configFile = join(dirname(fileURLToPath(import.meta.url)), 'demo', '.rdsiamrc.yaml');
const step = (text: string) => console.log(`\n== ${text}`);

// Token fingerprints as rdsiam reports them; the token itself is never printed.
subscribe('rdsiam:token:signed', (m) => {
  const e = m as RdsIamEvents['rdsiam:token:signed'];
  console.log(
    `   token signed for ${e.user}@${e.host}:${e.port} (${e.region}), fingerprint ${e.fingerprint}, ${e.durationMs} ms`,
  );
});
subscribe('rdsiam:connect:retry', (m) => {
  console.log(
    `   a cached token was refused (fingerprint ${(m as RdsIamEvents['rdsiam:connect:retry']).fingerprint}): retrying once with a fresh one`,
  );
});

let release = () => {};
try {
  step('1. the local IAM test bed');
  const bed = await ensureTestbed('demo');
  release = bed.release;
  const { tb } = bed;
  console.log(
    bed.startedHere ? '   started for this demo' : '   already running: the demo uses it and leaves it running',
  );

  // Temporary credentials (with a session token), as an EC2 role or `aws sso login` would give.
  const [, temporary] = tb.credentials;
  process.env.AWS_ACCESS_KEY_ID = temporary!.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = temporary!.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = temporary!.sessionToken;
  const env = {
    RDSIAM_DSN: `postgres://${tb.postgres.iamUser}@${tb.postgres.host}:${tb.postgres.port}/${tb.postgres.database}`,
    RDSIAM_CONNECTIONS__MYSQL__DSN: `mysql://${tb.mysql.iamUser}@${tb.mysql.host}:${tb.mysql.port}/${tb.mysql.database}`,
    RDSIAM_SSL__CA: tb.ca,
  };

  step(`2. the config: ${configFile}, with this run's ports and CA from RDSIAM_* env vars`);
  const config = await loadConfig({ configFile, env });
  for (const key of ['dsn', 'plugins', 'iam_host', 'ssl.ca', 'aws_credentials_source']) {
    const source = config.origins[key];
    console.log(
      `   ${key.padEnd(22)} from ${source?.kind === 'env' ? source.variable : source?.kind === 'file' ? 'the file' : 'default'}`,
    );
  }

  step('3. PostgreSQL through IAM (verify-full TLS, token as the password)');
  const client = await connectPg({ configFile, env });
  const pgRow = (await client.query('SELECT current_user AS who, version() AS version')).rows[0] as {
    who: string;
    version: string;
  };
  console.log(`   connected as ${pgRow.who}: ${pgRow.version.split(',')[0]}`);
  await client.end();

  step('4. MariaDB through IAM (mysql_clear_password over verify-full TLS)');
  const my = await connectMysql({ configFile, env, connection: 'mysql' });
  const [rows] = await my.query('SELECT CURRENT_USER() AS who, VERSION() AS version');
  const myRow = (rows as { who: string; version: string }[])[0]!;
  console.log(`   connected as ${myRow.who}: MariaDB ${myRow.version}`);
  await my.end();

  step('5. a pool outliving its tokens, next to a pool given one token up front');
  // A key whose tokens the verifier refuses once 4 s old, a token cache that serves one for 2 s, and pools
  // whose connections idle out between bursts: every burst opens new connections that need a current token.
  const shortLived = await tb.newKey({ maxTokenAgeSeconds: 4 });
  const options = {
    configFile,
    env: { ...env, RDSIAM_IAM_EXPIRATION: '2', RDSIAM_POOL__MAX: '10', RDSIAM_POOL__IDLE_TIMEOUT_MS: '200' },
    credentials: async () => shortLived,
  };
  const pool = await createPgPool(options);
  // What hand-wired code often does: sign once, hand the string to the pool.
  const fixed = new pg.Pool({ ...(await pgPoolOptionsFromConfig(options)), password: await getAuthToken(options) });
  fixed.on('error', () => {});
  const burst = async (p: pg.Pool) =>
    (await Promise.allSettled(Array.from({ length: 10 }, () => p.query('SELECT 1')))).filter(
      (r) => r.status === 'fulfilled',
    ).length;
  let failed = 0;
  for (let i = 0; i < 5; i++) {
    const [ours, theirs] = await Promise.all([burst(pool), burst(fixed)]);
    failed += 10 - ours;
    console.log(`   t=${i * 1.5}s  rdsiam pool: ${ours}/10 ok   fixed-token pool: ${theirs}/10 ok`);
    await sleep(1_500);
  }
  await Promise.all([pool.end(), fixed.end()]);
  if (failed > 0) throw new Error('the rdsiam pool lost queries across token expiry');
  step('done');
} catch (err) {
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
  // 2: the machine lacks packages (the message says which, and how to install them), as opposed to a failure.
  process.exitCode = err instanceof TestbedNotReadyError ? 2 : 1;
} finally {
  release();
}
