// Property-based: thousands of random and mutated configs and env maps. loadConfig either resolves or throws one
// ConfigError whose every issue names a key path; never another exception, and never a DSN password in a message.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ConfigError, loadConfig } from '../../src/index.js';
import { LEAVES } from '../../src/config/schema.js';
import { DSQL_HOST, RDS_HOST } from '../support/hosts.js';
import { NO_CONFIG_DIR } from '../support/projects.js';

// No config file: only env and overrides count.
const cwd = NO_CONFIG_DIR;
const PASSWORD = 'pw-S3cr3t-fuzz';
const SIGNATURE = `X-Amz-Signature=${'ab'.repeat(32)}`;
const KEYS = [...LEAVES.map((l) => l.name), 'connections', '$schema'];

const hosts = fc.constantFrom(
  RDS_HOST,
  'app.cluster-ro-abc.eu-west-3.rds.amazonaws.com',
  DSQL_HOST,
  '10.0.0.5',
  '[::1]',
  'localhost',
  'evil.com/.x.us-east-1.rds.amazonaws.com',
  '',
);
const dsn = fc
  .record({
    scheme: fc.constantFrom('postgres://', 'postgresql://', 'mysql://', 'http://', 'redis://', '://', ''),
    user: fc.constantFrom('app', '', 'a%20b', '%zz'),
    password: fc.constantFrom(undefined, PASSWORD, encodeURIComponent(`${PASSWORD}@:/`)),
    host: hosts,
    port: fc.constantFrom('', ':5432', ':0', ':99999', ':abc'),
    query: fc.constantFrom(
      '',
      '?sslmode=disable',
      '?sslmode=verify-full&sslrootcert=/x.pem',
      '?ssl-mode=REQUIRED',
      `?token=${SIGNATURE}`,
    ),
  })
  .map(
    ({ scheme, user, password, host, port, query }) =>
      `${scheme}${user}${password === undefined ? '' : `:${password}`}@${host}${port}/db${query}`,
  );
// Values of every shape, plus text that must never be echoed.
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(SIGNATURE),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
  dsn,
);
const plausible = fc.record(
  {
    dsn,
    plugins: fc.oneof(
      fc.constantFrom('iam', 'iam_dsql', 'iam,iam_dsql', 'none', 'IAM', 'iam,foo'),
      fc.array(fc.constantFrom('iam', 'iam_dsql', 'x')),
    ),
    iam_host: hosts,
    iam_region: fc.constantFrom('us-east-1', 'US-EAST-1', 'mars-1', 'ap-southeast-7', ''),
    iam_expiration: fc.oneof(fc.integer({ min: -5, max: 700_000 }), fc.constant('15m')),
    iam_default_port: fc.integer({ min: -1, max: 70_000 }),
    ssl: fc.record(
      {
        mode: fc.constantFrom('verify-full', 'verify-ca', 'require', 'disable', 'on'),
        ca: fc.constantFrom('/nonexistent.pem', 'PEM'),
      },
      { requiredKeys: [] },
    ),
    aws_credentials_source: fc.constantFrom('chain', 'env', 'sso', ''),
    connect_timeout_ms: fc.integer({ min: -1, max: 700_000 }),
    pool: fc.record({ max: fc.integer({ min: -1, max: 20_000 }), idle_timeout_ms: anyValue }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
// A plausible config with random keys mutated, added (typos included) or given values of the wrong shape.
const config = fc
  .tuple(
    plausible,
    fc.dictionary(
      fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 }), fc.constant('iam_regoin')),
      anyValue,
      { maxKeys: 3 },
    ),
  )
  .map(([base, noise]) => ({ ...base, ...noise }));
const envMap = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      ...KEYS.map((k) => `RDSIAM_${k.toUpperCase().replace(/\./g, '__')}`),
      'RDSIAM_IAM_REGOIN',
      'RDSIAM_CONNECTIONS__READER__DSN',
      'DATABASE_URL',
      'RDSIAM_CONNECTIONS__X',
    ),
    fc.string({ maxLength: 10 }).map((s) => `RDSIAM_${s}`),
  ),
  fc.oneof(fc.string(), dsn, fc.constant(`app:${PASSWORD}@db.example.com/x`), fc.constant(SIGNATURE), fc.constant('')),
  { maxKeys: 5 },
);

async function check(
  env: Record<string, string>,
  overrides: Record<string, unknown> | undefined,
  connection?: string,
): Promise<void> {
  try {
    await loadConfig({ cwd, env, ...(overrides && { overrides }), ...(connection && { connection }) });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${inspect(err)}`);
    assert.ok(err.issues.length > 0);
    for (const issue of err.issues) {
      assert.equal(typeof issue.path, 'string');
      assert.ok(issue.path.length > 0, `an issue without a key path: ${issue.message}`);
    }
    for (const text of [err.message, inspect(err, { depth: 10 }), JSON.stringify(err.issues)]) {
      assert.ok(!text.includes(PASSWORD), `a DSN password leaked: ${text}`);
      assert.ok(!text.includes(encodeURIComponent(PASSWORD)), `a DSN password leaked: ${text}`);
      assert.ok(!/X-Amz-Signature=[0-9a-f]{64}/.test(text), `a token signature leaked: ${text}`);
    }
  }
}

describe('config fuzzing', () => {
  test('random and mutated configs in code', async () => {
    await fc.assert(
      fc.asyncProperty(config, (c) => check({}, c)),
      { numRuns: 1000, seed: 20261128 },
    );
  });

  test('random env maps, alone and under a file-like override', async () => {
    await fc.assert(
      fc.asyncProperty(
        envMap,
        fc.option(config, { nil: undefined }),
        fc.constantFrom(undefined, 'reader', 'x'),
        (env, c, conn) => check(env, c, conn),
      ),
      { numRuns: 1000, seed: 20261129 },
    );
  });

  test('malformed DSNs, and a DSN pasted into ssl.ca, never echo their password', async () => {
    for (const overrides of [
      { dsn: `postgres:///:${PASSWORD}@${RDS_HOST}/x` },
      { dsn: `postgres://app@${RDS_HOST}/x`, ssl: { ca: `postgres://app:${PASSWORD}@db.example.com/x` } },
    ]) {
      const err = await loadConfig({ cwd, env: {}, overrides: { plugins: 'iam', ...overrides } }).catch(
        (e: unknown) => e,
      );
      assert.ok(err instanceof ConfigError, String(err));
      assert.ok(!err.message.includes(PASSWORD), err.message);
    }
  });

  test('the properties can fail: a password-bearing DSN with IAM is caught without echoing the password', async () => {
    const err = await loadConfig({
      cwd,
      env: {},
      overrides: { dsn: `postgres://u:${PASSWORD}@${RDS_HOST}/x`, plugins: 'iam' },
    }).catch((e: unknown) => e);
    assert.ok(err instanceof ConfigError);
    assert.equal(err.issues[0]?.path, 'dsn');
    assert.ok(!err.message.includes(PASSWORD));
  });
});
