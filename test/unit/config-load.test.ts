import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ConfigError } from '../../src/errors.js';
import { loadConfig } from '../../src/config/load.js';
import type { LoadConfigOptions } from '../../src/config/load.js';
import { DSQL_CLUSTER_ID, RDS_HOST } from '../support/hosts.js';
import { fixtureProject, NO_CONFIG_DIR } from '../support/projects.js';

// The DSN of the fixture projects' config files.
const DSN = `postgres://app@${RDS_HOST}:5432/app`;

async function failure(options: LoadConfigOptions): Promise<ConfigError> {
  try {
    await loadConfig(options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadConfig to throw');
}

/** The message lines of a ConfigError, one per issue. */
function lines(error: ConfigError): string[] {
  return error.message
    .split('\n')
    .slice(1)
    .map((l) => l.replace(/^ {2}- /, ''));
}

describe('loadConfig: file formats', () => {
  // Each in fixtures/projects/formats/<its name's letters>/, naming the host <its name's letters>.example.com.
  const names = [
    '.rdsiamrc',
    '.rdsiamrc.json',
    '.rdsiamrc.yaml',
    '.rdsiamrc.yml',
    '.rdsiamrc.js',
    '.rdsiamrc.cjs',
    '.rdsiamrc.mjs',
    '.rdsiamrc.ts',
    '.config/rdsiamrc',
    '.config/rdsiamrc.json',
    '.config/rdsiamrc.yaml',
    'rdsiam.config.js',
    'rdsiam.config.cjs',
    'rdsiam.config.mjs',
    'rdsiam.config.ts',
  ];
  for (const name of names) {
    it(`loads ${name}`, async () => {
      const label = name.replace(/[^a-z]/g, '');
      const host = `${label}.example.com`;
      const root = join(fixtureProject('formats'), label);
      const config = await loadConfig({ cwd: root, env: {} });
      assert.equal(config.dsn.host, host);
      assert.equal(config.plugin, 'iam');
      assert.equal(config.configFile, join(root, name));
      assert.deepEqual(config.origins.dsn, { kind: 'file', file: join(root, name) });
    });
  }

  it('loads JSON written in .rdsiamrc (no extension is YAML, a superset of JSON)', async () => {
    const root = join(fixtureProject('formats'), 'rcjson');
    assert.equal((await loadConfig({ cwd: root, env: {} })).dsn.host, 'rcjson.example.com');
  });

  it('loads the rdsiam key of package.json', async () => {
    const root = fixtureProject('package-key');
    const config = await loadConfig({ cwd: root, env: {} });
    assert.equal(config.dsn.engine, 'mysql');
    assert.equal(config.dsn.host, RDS_HOST);
    assert.equal(config.configFile, join(root, 'package.json'));
  });
});

describe('loadConfig: finding the file', () => {
  it('searches up from a nested working directory to the project root', async () => {
    const root = fixtureProject('nested');
    const cwd = join(root, 'a', 'b', 'c');
    const config = await loadConfig({ cwd, env: {} });
    assert.equal(config.configFile, join(root, '.config/rdsiamrc.yaml'));
    assert.equal(config.searchedFrom, cwd);
  });

  it('stops at the project root: a config above the nearest package.json is not used', async () => {
    const outer = fixtureProject('above-root');
    const error = await failure({ cwd: join(outer, 'inner'), env: {} });
    assert.match(error.message, /^No rdsiam config found:/);
    assert.match(
      error.message,
      new RegExp(`searched ${join(outer, 'inner')} for package\\.json \\("rdsiam" key\\), \\.rdsiamrc`),
    );
    assert.match(error.message, /RDSIAM_CONFIG=path, or set RDSIAM_DSN \(or DATABASE_URL\)/);
  });

  it('uses a file named by the configFile option instead of searching, relative to cwd', async () => {
    const root = fixtureProject('named-files');
    const config = await loadConfig({ cwd: root, configFile: 'conf/other.yaml', env: {} });
    assert.equal(config.dsn.host, 'other.example.com');
    assert.equal(config.searchedFrom, undefined);
  });

  it('uses a file named by RDSIAM_CONFIG instead of searching', async () => {
    const root = fixtureProject('named-files');
    const config = await loadConfig({ cwd: root, env: { RDSIAM_CONFIG: join(root, 'rdsiam.json') } });
    assert.equal(config.dsn.host, 'named.example.com');
  });

  it('fails, never falls back, when a named file is missing', async () => {
    const root = fixtureProject('named-files');
    const byOption = await failure({ cwd: root, configFile: 'missing.yaml', env: {} });
    assert.equal(
      lines(byOption)[0],
      `configFile (from options passed in code): names ${join(root, 'missing.yaml')}, which does not exist (a named config file is never replaced by a search)`,
    );
    const byEnv = await failure({ cwd: root, env: { RDSIAM_CONFIG: 'missing.yaml' } });
    assert.match(
      lines(byEnv)[0] ?? '',
      /^configFile \(from RDSIAM_CONFIG\): names .*missing\.yaml, which does not exist/,
    );
  });

  it('rejects a named file with an unsupported extension', async () => {
    const root = fixtureProject('named-files');
    const error = await failure({ cwd: root, configFile: 'rdsiam.toml', env: {} });
    assert.match(error.message, /rdsiam\.toml\): has an unsupported extension/);
  });
});

describe('loadConfig: malformed files', () => {
  // The DSN password in the fixture files.
  const secret = 'hunter2secret';

  it('names the file and the position of a YAML error without quoting the file', async () => {
    const root = join(fixtureProject('malformed'), 'yaml');
    const error = await failure({ cwd: root, env: {} });
    assert.match(error.message, /^Could not load the rdsiam config file:/);
    assert.match(
      error.message,
      new RegExp(
        `\\(from ${join(root, '.rdsiamrc').replace(/\./g, '\\.')}\\): is not valid YAML: .*\\(line 2, column \\d+\\)`,
      ),
    );
    assert.ok(!error.message.includes(secret));
    assert.ok(!inspect(error).includes(secret));
  });

  it('names the file of a JSON error without quoting the file', async () => {
    const root = join(fixtureProject('malformed'), 'json');
    const error = await failure({ cwd: root, env: {} });
    assert.match(error.message, /\.rdsiamrc\.json\): is not valid JSON: Unexpected token/);
    assert.ok(!error.message.includes(secret));
    assert.ok(!inspect(error).includes(secret));
  });

  it('rejects a file that holds something other than an object', async () => {
    const root = join(fixtureProject('malformed'), 'list');
    const error = await failure({ cwd: root, env: {} });
    assert.match(
      error.message,
      /\(root\) \(from .*\.rdsiamrc\.yaml\): must hold an object of rdsiam config keys, got a list/,
    );
  });

  it('names the file when a JS config throws', async () => {
    const root = join(fixtureProject('malformed'), 'throws');
    const error = await failure({ cwd: root, env: {} });
    assert.match(error.message, /rdsiam\.config\.mjs\): could not be loaded: no config today/);
  });
});

describe('loadConfig: precedence and origins', () => {
  it('takes defaults < file < env < code, and remembers each source', async () => {
    // The file gives dsn, iam_region us-east-1, iam_default_port 5432, pool.max 5 and pool.idle_timeout_ms 1000.
    const root = fixtureProject('layers');
    const rc = join(root, '.rdsiamrc');
    const config = await loadConfig({
      cwd: root,
      env: { RDSIAM_IAM_REGION: 'eu-west-1', RDSIAM_POOL__MAX: '10' },
      overrides: { pool: { max: 20 }, iam_region: undefined },
    });
    const table = {
      iam_expiration: [config.iam_expiration, { kind: 'default' }],
      iam_default_port: [config.iam_default_port, { kind: 'file', file: rc }],
      iam_region: [config.iam_region, { kind: 'env', variable: 'RDSIAM_IAM_REGION' }],
      'pool.idle_timeout_ms': [config.pool.idle_timeout_ms, { kind: 'file', file: rc }],
      'pool.max': [config.pool.max, { kind: 'code' }],
      'ssl.mode': [config.ssl.mode, { kind: 'default' }],
    };
    assert.deepEqual(Object.fromEntries(Object.entries(table).map(([key, [value]]) => [key, value])), {
      iam_expiration: 870,
      iam_default_port: 5432,
      iam_region: 'eu-west-1',
      'pool.idle_timeout_ms': 1000,
      'pool.max': 20,
      'ssl.mode': 'verify-full',
    });
    for (const [key, [, source]] of Object.entries(table)) assert.deepEqual(config.origins[key], source, key);
  });

  it('gives the documented defaults', async () => {
    const config = await loadConfig({ cwd: NO_CONFIG_DIR, env: { RDSIAM_DSN: DSN } });
    assert.deepEqual(
      {
        plugin: config.plugin,
        iam_expiration: config.iam_expiration,
        ssl: config.ssl,
        aws_credentials_source: config.aws_credentials_source,
        connect_timeout_ms: config.connect_timeout_ms,
        pool: config.pool,
        connectionNames: config.connectionNames,
      },
      {
        plugin: undefined,
        iam_expiration: 870,
        ssl: { mode: 'verify-full' },
        aws_credentials_source: 'chain',
        connect_timeout_ms: 10_000,
        pool: {},
        connectionNames: ['default'],
      },
    );
  });

  it('works from env alone', async () => {
    const config = await loadConfig({
      cwd: NO_CONFIG_DIR,
      env: { RDSIAM_DSN: DSN, RDSIAM_PLUGINS: 'iam', RDSIAM_IAM_EXPIRATION: '600', RDSIAM_AWS_PROFILE: 'prod' },
    });
    assert.equal(config.configFile, undefined);
    assert.equal(config.plugin, 'iam');
    assert.equal(config.iam_expiration, 600);
    assert.equal(config.aws_profile, 'prod');
    assert.deepEqual(config.origins.plugins, { kind: 'env', variable: 'RDSIAM_PLUGINS' });
  });

  it('works from code alone', async () => {
    const config = await loadConfig({ cwd: NO_CONFIG_DIR, env: {}, overrides: { dsn: DSN, plugins: ['iam'] } });
    assert.deepEqual(config.origins.dsn, { kind: 'code' });
  });
});

describe('loadConfig: DATABASE_URL', () => {
  it('gives dsn when neither the file nor RDSIAM_DSN does', async () => {
    const config = await loadConfig({ cwd: NO_CONFIG_DIR, env: { DATABASE_URL: 'mysql://app@db.example.com/app' } });
    assert.equal(config.dsn.host, 'db.example.com');
    assert.deepEqual(config.origins.dsn, { kind: 'env', variable: 'DATABASE_URL' });
  });

  it('loses to RDSIAM_DSN and to the file', async () => {
    const env = { DATABASE_URL: 'mysql://app@url.example.com/app', RDSIAM_DSN: 'mysql://app@env.example.com/app' };
    assert.equal((await loadConfig({ cwd: NO_CONFIG_DIR, env })).dsn.host, 'env.example.com');
    const root = fixtureProject('layers');
    assert.equal((await loadConfig({ cwd: root, env: { DATABASE_URL: env.DATABASE_URL } })).dsn.host, RDS_HOST);
  });

  it('counts an empty variable as unset', async () => {
    const root = NO_CONFIG_DIR;
    const config = await loadConfig({
      cwd: root,
      env: { RDSIAM_DSN: '', DATABASE_URL: 'mysql://app@url.example.com/app' },
    });
    assert.equal(config.dsn.host, 'url.example.com');
    await failure({ cwd: root, env: { DATABASE_URL: '' } });
  });

  it('keeps a password without plugins, as a Secret', async () => {
    const config = await loadConfig({ cwd: NO_CONFIG_DIR, env: { DATABASE_URL: 'postgres://app:pw-1234@h/db' } });
    assert.equal(config.dsn.password?.reveal(), 'pw-1234');
  });
});

describe('loadConfig: named connections', () => {
  // At the top level dsn, plugins [iam], iam_region us-east-1 and pool { max: 5, idle_timeout_ms: 1000 };
  // reader: its own dsn and pool.max 20; read-replica: iam_region us-west-2.
  const root = fixtureProject('connections');

  it('resolves the top level as default', async () => {
    const config = await loadConfig({ cwd: root, env: {} });
    assert.equal(config.connection, 'default');
    assert.equal(config.dsn.host, RDS_HOST);
    assert.deepEqual(config.connectionNames, ['default', 'reader', 'read-replica']);
  });

  it('merges a named connection over the top level, key by key', async () => {
    const config = await loadConfig({
      cwd: root,
      env: { RDSIAM_CONNECTIONS__READ_REPLICA__POOL__MAX: '3' },
      connection: 'reader',
    });
    assert.equal(config.connection, 'reader');
    assert.equal(config.dsn.host, 'db.cluster-ro-abc123.us-east-1.rds.amazonaws.com');
    assert.equal(config.plugin, 'iam');
    assert.deepEqual(config.pool, { max: 20, idle_timeout_ms: 1000 });
    assert.equal(config.iam_region, 'us-east-1');

    const replica = await loadConfig({
      cwd: root,
      env: { RDSIAM_CONNECTIONS__READ_REPLICA__POOL__MAX: '3' },
      connection: 'read-replica',
    });
    assert.equal(replica.dsn.host, RDS_HOST);
    assert.equal(replica.iam_region, 'us-west-2');
    assert.deepEqual(replica.pool, { max: 3, idle_timeout_ms: 1000 });
    assert.deepEqual(replica.origins['pool.max'], {
      kind: 'env',
      variable: 'RDSIAM_CONNECTIONS__READ_REPLICA__POOL__MAX',
    });
  });

  it('lists the known names for an unknown connection', async () => {
    const error = await failure({ cwd: root, env: {}, connection: 'raeder' });
    assert.equal(
      lines(error)[0],
      'connection (from options passed in code): no connection is named "raeder"; did you mean "reader"?',
    );
  });

  it('reserves the name default and checks names', async () => {
    const error = await failure({ cwd: NO_CONFIG_DIR, env: {}, overrides: { dsn: DSN, connections: { default: {} } } });
    assert.match(
      error.message,
      /connections\.default \(from options passed in code\): is reserved: the top level is the default connection/,
    );
    const bad = await failure({
      cwd: NO_CONFIG_DIR,
      env: {},
      overrides: { dsn: DSN, connections: { 'bad name': {} } },
    });
    assert.match(
      bad.message,
      /connections\."bad name" \(from options passed in code\): is not a valid connection name/,
    );
  });
});

describe('loadConfig: validation messages', () => {
  const cwd = NO_CONFIG_DIR;
  async function issuesFor(env: Record<string, string>, overrides?: Record<string, unknown>): Promise<string[]> {
    return lines(await failure({ cwd, env: { RDSIAM_DSN: DSN, ...env }, ...(overrides ? { overrides } : {}) }));
  }

  it('says what is wrong, where it came from and what is expected', async () => {
    assert.deepEqual(await issuesFor({ RDSIAM_IAM_EXPIRATION: '15m' }), [
      'iam_expiration (from RDSIAM_IAM_EXPIRATION): must be a whole number of seconds from 1 to 900 (604800 with iam_dsql), got "15m"',
    ]);
  });

  it('suggests the nearest key for an unknown one, at any depth', async () => {
    // The file has iam_regoin and ssl: { mod, zzzzzz }.
    const root = fixtureProject('unknown-keys');
    const rc = join(root, '.rdsiamrc');
    assert.deepEqual(lines(await failure({ cwd: root, env: {} })), [
      `ssl.mod (from ${rc}): is not a known key; did you mean "mode"?`,
      `ssl.zzzzzz (from ${rc}): is not a known key; known keys here: mode, ca, servername`,
      `iam_regoin (from ${rc}): is not a known key; did you mean "iam_region"?`,
    ]);
  });

  it('lists every problem at once, from every source', async () => {
    const issues = await issuesFor({ RDSIAM_IAM_REGOIN: 'x', RDSIAM_POOL__MAX: '0' }, { ssl: { mode: 'verify-fool' } });
    assert.deepEqual(issues, [
      'RDSIAM_IAM_REGOIN: is not an rdsiam setting; did you mean RDSIAM_IAM_REGION?',
      'ssl.mode (from options passed in code): must be one of verify-full, verify-ca, require, disable, got "verify-fool"',
      'pool.max (from RDSIAM_POOL__MAX): must be a whole number from 1 to 10000, got 0',
    ]);
  });

  it('checks plugins: known codes, either form, not both IAM kinds', async () => {
    assert.deepEqual(await issuesFor({ RDSIAM_PLUGINS: 'iam,iamm' }), [
      'plugins (from RDSIAM_PLUGINS): has unknown plugin code "iamm"; did you mean "iam"?',
    ]);
    assert.deepEqual(await issuesFor({}, { plugins: ['kerberos'] }), [
      'plugins (from options passed in code): has unknown plugin code "kerberos"; known codes: iam, iam_dsql',
    ]);
    assert.deepEqual(await issuesFor({ RDSIAM_PLUGINS: 'iam, iam_dsql' }), [
      'plugins (from RDSIAM_PLUGINS): cannot combine iam and iam_dsql: use iam for RDS and Aurora, iam_dsql for Aurora DSQL',
    ]);
    const none = await loadConfig({ cwd, env: { RDSIAM_DSN: DSN, RDSIAM_PLUGINS: 'none' } });
    assert.equal(none.plugin, undefined);
  });

  it('limits iam_expiration to 900 s, or a week with iam_dsql', async () => {
    assert.deepEqual(await issuesFor({ RDSIAM_PLUGINS: 'iam', RDSIAM_IAM_EXPIRATION: '901' }), [
      'iam_expiration (from RDSIAM_IAM_EXPIRATION): must be at most 900 seconds unless the plugin is iam_dsql (RDS IAM tokens live 900 s), got 901',
    ]);
    const dsql = await loadConfig({
      cwd,
      env: { RDSIAM_DSN: DSN, RDSIAM_PLUGINS: 'iam_dsql', RDSIAM_IAM_EXPIRATION: '604800' },
    });
    assert.equal(dsql.iam_expiration, 604_800);
    assert.match(
      (await issuesFor({ RDSIAM_PLUGINS: 'iam_dsql', RDSIAM_IAM_EXPIRATION: '604801' }))[0] ?? '',
      /got 604801$/,
    );
    assert.match((await issuesFor({ RDSIAM_IAM_EXPIRATION: '0' }))[0] ?? '', /from 1 to 900.*got 0$/);
  });

  it('refuses a DSN password while an IAM plugin is on, showing only the redacted DSN', async () => {
    const issues = await issuesFor({ RDSIAM_DSN: `postgres://app:hunter22@${RDS_HOST}/app`, RDSIAM_PLUGINS: 'iam' });
    assert.deepEqual(issues, [
      `dsn (from RDSIAM_DSN): has a password, but the iam plugin signs a token that replaces it; remove the password from the DSN (got "postgres://app:***@${RDS_HOST}/app")`,
    ]);
  });

  it('refuses TLS without verification while an IAM plugin is on, and allows it without plugins', async () => {
    for (const mode of ['require', 'disable']) {
      assert.deepEqual(await issuesFor({ RDSIAM_PLUGINS: 'iam', RDSIAM_SSL_MODE: mode }), [
        `ssl.mode (from RDSIAM_SSL_MODE): must be verify-full or verify-ca while an IAM plugin is on: the token is a bearer credential and must only go to a verified server, got "${mode}"`,
      ]);
      const plain = await loadConfig({ cwd, env: { RDSIAM_DSN: DSN, RDSIAM_SSL_MODE: mode } });
      assert.equal(plain.ssl.mode, mode);
    }
    const fromDsn = await issuesFor({ RDSIAM_DSN: `${DSN}?sslmode=require`, RDSIAM_PLUGINS: 'iam' });
    assert.match(fromDsn[0] ?? '', /^dsn \(from RDSIAM_DSN\): must be verify-full or verify-ca/);
  });

  it('maps DSN TLS parameters onto ssl and rejects a conflict with ssl', async () => {
    const mapped = await loadConfig({
      cwd,
      env: { RDSIAM_DSN: `mysql://app@${RDS_HOST}/app?ssl-mode=VERIFY_CA&charset=utf8mb4` },
    });
    assert.equal(mapped.ssl.mode, 'verify-ca');
    assert.deepEqual(mapped.dsn.params, { charset: 'utf8mb4' });
    assert.deepEqual(mapped.origins['ssl.mode'], { kind: 'env', variable: 'RDSIAM_DSN' });
    const same = await loadConfig({
      cwd,
      env: { RDSIAM_DSN: `${DSN}?sslmode=verify-ca`, RDSIAM_SSL_MODE: 'verify-ca' },
    });
    assert.equal(same.ssl.mode, 'verify-ca');
    assert.deepEqual(await issuesFor({ RDSIAM_DSN: `${DSN}?sslmode=verify-ca`, RDSIAM_SSL_MODE: 'verify-full' }), [
      'ssl.mode (from RDSIAM_SSL_MODE): is verify-full but the DSN says sslmode=verify-ca; set it in one place',
    ]);
    assert.match(
      (await issuesFor({ RDSIAM_DSN: `${DSN}?sslmode=prefer` }))[0] ?? '',
      /^dsn \(from RDSIAM_DSN\): has sslmode=prefer/,
    );
  });

  it('resolves a relative CA path against the config file and checks it exists', async () => {
    // conf/.rdsiamrc has ssl: { ca: certs/ca.pem }, which is there.
    const root = fixtureProject('relative-ca');
    const config = await loadConfig({ cwd: root, env: {}, configFile: 'conf/.rdsiamrc' });
    assert.deepEqual(config.ssl.ca, { file: join(root, 'conf/certs/ca.pem') });
    const missing = await failure({ cwd: root, env: { RDSIAM_DSN: DSN, RDSIAM_SSL_CA: 'nope.pem' } });
    assert.equal(
      lines(missing)[0],
      `ssl.ca (from RDSIAM_SSL_CA): names a CA file that does not exist: ${join(root, 'nope.pem')} (give a path to a PEM file, or the PEM text itself)`,
    );
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    assert.deepEqual((await loadConfig({ cwd, env: { RDSIAM_DSN: DSN }, overrides: { ssl: { ca: pem } } })).ssl.ca, {
      pem,
    });
  });

  it('checks region names with the one rule the endpoint parser uses too: lowercase, in the AWS shape', async () => {
    const regions = [
      'us-east-1',
      'us-gov-west-1',
      'cn-northwest-1',
      'ap-southeast-7',
      'mx-central-1',
      'us-iso-east-1',
      'us-isob-east-1',
      'eusc-de-east-1',
    ];
    for (const region of regions) {
      const config = await loadConfig({ cwd, env: { RDSIAM_DSN: DSN, RDSIAM_IAM_REGION: region } });
      assert.equal(config.iam_region, region);
    }
    for (const region of ['useast1', 'us-east', 'us_east_1', 'us-east-1a', 'us-east-123']) {
      assert.match(
        (await issuesFor({ RDSIAM_IAM_REGION: region }))[0] ?? '',
        /^iam_region \(from RDSIAM_IAM_REGION\): must be an AWS region name such as us-east-1, got/,
      );
    }
    assert.deepEqual(await issuesFor({ RDSIAM_IAM_REGION: 'EU-WEST-3' }), [
      'iam_region (from RDSIAM_IAM_REGION): must be written in lowercase, as AWS does: eu-west-3, got "EU-WEST-3"',
    ]);
  });

  it('checks hosts, ports and role ARNs in any partition', async () => {
    for (const arn of [
      'arn:aws:iam::123456789012:role/db',
      'arn:aws-cn:iam::123456789012:role/x',
      'arn:aws-us-gov:iam::123456789012:role/path/to/r',
      'arn:aws-iso-b:iam::123456789012:role/r',
    ]) {
      const config = await loadConfig({ cwd, env: { RDSIAM_DSN: DSN, RDSIAM_AWS_ROLE_ARN: arn } });
      assert.equal(config.aws_role_arn, arn);
    }
    assert.deepEqual(
      await issuesFor({
        RDSIAM_AWS_ROLE_ARN: 'arn:aws:iam::123:user/bob',
        RDSIAM_IAM_HOST: 'https://x.example.com',
        RDSIAM_IAM_DEFAULT_PORT: '70000',
      }),
      [
        'iam_host (from RDSIAM_IAM_HOST): must be a host name without scheme or port, e.g. mydb.cluster-abc123.us-east-1.rds.amazonaws.com, got "https://x.example.com"',
        'iam_default_port (from RDSIAM_IAM_DEFAULT_PORT): must be a whole number from 1 to 65535, got 70000',
        'aws_role_arn (from RDSIAM_AWS_ROLE_ARN): must be an IAM role ARN such as arn:aws:iam::123456789012:role/db-login, got "arn:aws:iam::123:user/bob"',
      ],
    );
  });

  it('checks the credential keys that depend on each other', async () => {
    assert.deepEqual(
      await issuesFor({
        RDSIAM_AWS_ROLE_SESSION_NAME: 'app',
        RDSIAM_AWS_PROFILE: 'p',
        RDSIAM_AWS_CREDENTIALS_SOURCE: 'container',
      }),
      [
        'aws_profile (from RDSIAM_AWS_PROFILE): is only used with aws_credentials_source chain, ini, process, login, but that is "container"',
        'aws_role_session_name (from RDSIAM_AWS_ROLE_SESSION_NAME): is only used with aws_role_arn, which is not set (got "app")',
      ],
    );
    assert.match(
      (await issuesFor({ RDSIAM_AWS_CREDENTIALS_SOURCE: 'sso' }))[0] ?? '',
      /must be one of chain, env, ini, process, login, container, instance, web_identity, got "sso"/,
    );
  });

  it('needs a postgres DSN for iam_dsql', async () => {
    assert.deepEqual(
      await issuesFor({ RDSIAM_DSN: 'mysql://admin@abc.dsql.us-east-1.on.aws/app', RDSIAM_PLUGINS: 'iam_dsql' }),
      [
        'plugins (from RDSIAM_PLUGINS): iam_dsql needs a postgres:// DSN (Aurora DSQL speaks PostgreSQL), but dsn is mysql://',
      ],
    );
  });

  it('requires a dsn', async () => {
    const error = await failure({ cwd, env: { RDSIAM_PLUGINS: 'iam' } });
    assert.deepEqual(lines(error), [
      'dsn: is required: set dsn in the config file, or the RDSIAM_DSN or DATABASE_URL environment variable',
    ]);
  });
});

describe('loadConfig: global database, DSQL and pool lifetime keys', () => {
  const cwd = NO_CONFIG_DIR;
  const GLOBAL_DSN = 'postgres://app@orders.global-abc123.global.rds.amazonaws.com/app';
  const DSQL_DSN = 'postgres://admin@localhost:15435/postgres';
  const ID = DSQL_CLUSTER_ID;

  it("expands a bare DSQL cluster id as the DSN host with iam_region, in any case, as AWS's DSQL connectors do", async () => {
    for (const host of [ID, ID.toUpperCase()]) {
      const config = await loadConfig({
        cwd,
        env: {
          RDSIAM_DSN: `postgres://admin@${host}/postgres`,
          RDSIAM_PLUGINS: 'iam_dsql',
          RDSIAM_IAM_REGION: 'eu-west-1',
        },
      });
      assert.equal(config.dsn.host, `${ID}.dsql.eu-west-1.on.aws`);
      assert.equal(config.iam_host, undefined);
    }
    const plain = await loadConfig({
      cwd,
      env: { RDSIAM_DSN: `postgres://admin@${ID}/postgres`, RDSIAM_IAM_REGION: 'eu-west-1' },
    });
    assert.equal(plain.dsn.host, ID, 'only with iam_dsql');
  });

  it('needs iam_region for a bare cluster id, and refuses a one-label host of another shape, showing the shape', async () => {
    assert.deepEqual(await issuesFor({ RDSIAM_DSN: `postgres://admin@${ID}/postgres`, RDSIAM_PLUGINS: 'iam_dsql' }), [
      `dsn (from RDSIAM_DSN): has host ${ID}, an Aurora DSQL cluster id; set iam_region to name its endpoint ${ID}.dsql.<region>.on.aws, or write that endpoint as the host`,
    ]);
    for (const host of ['abcdefghijklmnopqrstuvwxy', 'abcdefghijklmnopqrstuvwxyz0', 'mycluster', 'localhost']) {
      const [problem, ...rest] = await issuesFor({
        RDSIAM_DSN: `postgres://admin@${host}/postgres`,
        RDSIAM_PLUGINS: 'iam_dsql',
        RDSIAM_IAM_REGION: 'us-east-1',
      });
      assert.equal(rest.length, 0);
      assert.match(
        problem ?? '',
        new RegExp(
          `^dsn \\(from RDSIAM_DSN\\): has host "${host}", which is neither an Aurora DSQL cluster id \\(26 lowercase letters and digits, e\\.g\\. ${ID}\\) nor a DSQL endpoint`,
        ),
      );
      assert.match(problem ?? '', /set iam_host or dsql_cluster_id/);
    }
    const viaTunnel = await loadConfig({
      cwd,
      env: { RDSIAM_DSN: DSQL_DSN, RDSIAM_PLUGINS: 'iam_dsql', RDSIAM_IAM_HOST: `${ID}.dsql.us-east-1.on.aws` },
    });
    assert.equal(viaTunnel.dsn.host, 'localhost', 'a one-label alias is fine once iam_host names the endpoint');
  });

  it('signs for the endpoint dsql_cluster_id names, as iam_host does, while the DSN host stays where to connect', async () => {
    const config = await loadConfig({
      cwd,
      env: {
        RDSIAM_DSN: DSQL_DSN,
        RDSIAM_PLUGINS: 'iam_dsql',
        RDSIAM_DSQL_CLUSTER_ID: ID,
        RDSIAM_IAM_REGION: 'us-west-2',
      },
    });
    assert.deepEqual(
      [config.dsn.host, config.dsn.port, config.iam_host],
      ['localhost', 15435, `${ID}.dsql.us-west-2.on.aws`],
    );
    assert.deepEqual(config.origins.iam_host, { kind: 'env', variable: 'RDSIAM_DSQL_CLUSTER_ID' });
  });
  async function issuesFor(env: Record<string, string>): Promise<string[]> {
    return lines(await failure({ cwd, env }));
  }

  it('defaults iam_global_region to AWS_REGION, else us-east-1, and iam_global_ttl_s to 300', async () => {
    const plain = await loadConfig({ cwd, env: { RDSIAM_DSN: GLOBAL_DSN } });
    assert.deepEqual([plain.iam_global_region, plain.iam_global_ttl_s], ['us-east-1', 300]);
    assert.deepEqual(
      [plain.origins.iam_global_region, plain.origins.iam_global_ttl_s],
      [{ kind: 'default' }, { kind: 'default' }],
    );
    const fromSdkEnv = await loadConfig({ cwd, env: { RDSIAM_DSN: GLOBAL_DSN, AWS_REGION: 'ap-southeast-2' } });
    assert.equal(fromSdkEnv.iam_global_region, 'ap-southeast-2');
    assert.deepEqual(fromSdkEnv.origins.iam_global_region, { kind: 'env', variable: 'AWS_REGION' });
    const own = await loadConfig({
      cwd,
      env: {
        RDSIAM_DSN: GLOBAL_DSN,
        AWS_REGION: 'ap-southeast-2',
        RDSIAM_IAM_GLOBAL_REGION: 'eu-west-1',
        RDSIAM_IAM_GLOBAL_TTL_S: '60',
      },
    });
    assert.deepEqual([own.iam_global_region, own.iam_global_ttl_s], ['eu-west-1', 60]);
    assert.deepEqual(own.origins.iam_global_region, { kind: 'env', variable: 'RDSIAM_IAM_GLOBAL_REGION' });
  });

  it('ignores an AWS_REGION that is not a region name rather than failing configs that never use it', async () => {
    const config = await loadConfig({ cwd, env: { RDSIAM_DSN: DSN, AWS_REGION: 'local' } });
    assert.deepEqual([config.iam_global_region, config.origins.iam_global_region], ['us-east-1', { kind: 'default' }]);
  });

  it('checks the global database keys', async () => {
    assert.deepEqual(
      await issuesFor({ RDSIAM_DSN: GLOBAL_DSN, RDSIAM_IAM_GLOBAL_REGION: 'global', RDSIAM_IAM_GLOBAL_TTL_S: '0' }),
      [
        'iam_global_region (from RDSIAM_IAM_GLOBAL_REGION): must be an AWS region name such as us-east-1, got "global"',
        'iam_global_ttl_s (from RDSIAM_IAM_GLOBAL_TTL_S): must be a whole number of seconds from 1 to 86400, got 0',
      ],
    );
    assert.match(
      (await issuesFor({ RDSIAM_DSN: GLOBAL_DSN, RDSIAM_IAM_GLOBAL_TTL_S: '5m' }))[0] ?? '',
      /from 1 to 86400, got "5m"$/,
    );
  });

  it('takes a DSQL cluster id with iam_dsql and iam_region', async () => {
    const config = await loadConfig({
      cwd,
      env: {
        RDSIAM_DSN: DSQL_DSN,
        RDSIAM_PLUGINS: 'iam_dsql',
        RDSIAM_DSQL_CLUSTER_ID: ID,
        RDSIAM_IAM_REGION: 'us-east-1',
      },
    });
    assert.equal(config.dsql_cluster_id, ID);
    assert.deepEqual(config.origins.dsql_cluster_id, { kind: 'env', variable: 'RDSIAM_DSQL_CLUSTER_ID' });
  });

  it('shows the expected shape of a wrong DSQL cluster id', async () => {
    for (const id of [
      'abcdefghijklmnopqrstuvwxy',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      'abcdefghijklmnopqrstuvwxyz0',
      'abcdefghijklm-opqrstuvwxyz',
    ]) {
      assert.deepEqual(
        await issuesFor({
          RDSIAM_DSN: DSQL_DSN,
          RDSIAM_PLUGINS: 'iam_dsql',
          RDSIAM_IAM_REGION: 'us-east-1',
          RDSIAM_DSQL_CLUSTER_ID: id,
        }),
        [
          `dsql_cluster_id (from RDSIAM_DSQL_CLUSTER_ID): must be an Aurora DSQL cluster id: 26 lowercase letters and digits, e.g. abcdefghijklmnopqrstuvwxyz, got "${id}"`,
        ],
      );
    }
  });

  it('needs iam_dsql and iam_region with a DSQL cluster id, and no iam_host', async () => {
    assert.deepEqual(await issuesFor({ RDSIAM_DSN: DSQL_DSN, RDSIAM_PLUGINS: 'iam', RDSIAM_DSQL_CLUSTER_ID: ID }), [
      'dsql_cluster_id (from RDSIAM_DSQL_CLUSTER_ID): is only used with plugin iam_dsql, got plugins "iam"',
      `dsql_cluster_id (from RDSIAM_DSQL_CLUSTER_ID): needs iam_region to name the endpoint ${ID}.dsql.<region>.on.aws; set iam_region`,
    ]);
    assert.deepEqual(
      await issuesFor({
        RDSIAM_DSN: DSQL_DSN,
        RDSIAM_PLUGINS: 'iam_dsql',
        RDSIAM_IAM_REGION: 'us-east-1',
        RDSIAM_DSQL_CLUSTER_ID: ID,
        RDSIAM_IAM_HOST: `${ID}.dsql.us-east-1.on.aws`,
      }),
      [
        'dsql_cluster_id (from RDSIAM_DSQL_CLUSTER_ID): and iam_host both name the endpoint the token is signed for; keep one',
      ],
    );
  });

  it('gives DSQL pools a 3300 s lifetime by default, other pools none, and takes pool.max_lifetime_s for any engine', async () => {
    const DSQL_ENDPOINT_DSN = `postgres://admin@${ID}.dsql.us-east-1.on.aws/postgres`;
    const dsql = await loadConfig({ cwd, env: { RDSIAM_DSN: DSQL_ENDPOINT_DSN, RDSIAM_PLUGINS: 'iam_dsql' } });
    assert.deepEqual([dsql.pool.max_lifetime_s, dsql.origins['pool.max_lifetime_s']], [3300, { kind: 'default' }]);
    const off = await loadConfig({
      cwd,
      env: { RDSIAM_DSN: DSQL_ENDPOINT_DSN, RDSIAM_PLUGINS: 'iam_dsql', RDSIAM_POOL__MAX_LIFETIME_S: '0' },
    });
    assert.equal(off.pool.max_lifetime_s, 0);
    assert.equal((await loadConfig({ cwd, env: { RDSIAM_DSN: DSN } })).pool.max_lifetime_s, undefined);
    const mysql = await loadConfig({
      cwd,
      env: { RDSIAM_DSN: 'mysql://app@db.example.com/app', RDSIAM_POOL_MAX_LIFETIME_S: '1800' },
    });
    assert.deepEqual(
      [mysql.pool.max_lifetime_s, mysql.origins['pool.max_lifetime_s']],
      [1800, { kind: 'env', variable: 'RDSIAM_POOL_MAX_LIFETIME_S' }],
    );
    assert.deepEqual(await issuesFor({ RDSIAM_DSN: DSN, RDSIAM_POOL__MAX_LIFETIME_S: '604801' }), [
      'pool.max_lifetime_s (from RDSIAM_POOL__MAX_LIFETIME_S): must be a whole number of seconds from 0 to 604800, got 604801',
    ]);
  });
});

describe('loadConfig: secrets', () => {
  // Also the DSN password in fixtures/projects/password-in-file.
  const password = 'Sup3r-Secret-pw';

  it('never shows the DSN password in util.inspect or JSON of the resolved config', async () => {
    const config = await loadConfig({
      cwd: NO_CONFIG_DIR,
      env: { RDSIAM_DSN: `postgres://app:${password}@h/db?password=${password}` },
    });
    assert.equal(config.dsn.password?.reveal(), password);
    assert.ok(!inspect(config, { depth: 20 }).includes(password));
    assert.ok(!JSON.stringify(config).includes(password));
    assert.match(JSON.stringify(config), /"password":"\*\*\*"/);
  });

  it('never shows the DSN password in any message', async () => {
    // The file has the password in dsn (with plugin iam) and in a wrong iam_host.
    const root = fixtureProject('password-in-file');
    const cases: LoadConfigOptions[] = [
      { cwd: root, env: {} },
      { cwd: root, env: { RDSIAM_DSN: `postgres://app:${password}@h:0/db` } },
      { cwd: root, env: { RDSIAM_DSN: `postgres://app:${password}@h/db#x` } },
      { cwd: root, env: { RDSIAM_DSN: `redis://app:${password}@h/db` } },
      { cwd: root, env: { RDSIAM_DSN: `postgres://app:${password.slice(0, 4)}/${password.slice(4)}@h/db` } },
    ];
    for (const options of cases) {
      const error = await failure(options);
      assert.ok(!error.message.includes(password.slice(4)), error.message);
      assert.ok(!inspect(error, { depth: 20 }).includes(password.slice(4)));
      assert.ok(!JSON.stringify(error.issues).includes(password.slice(4)));
    }
  });
});
