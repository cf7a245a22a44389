// rdsiam doctor and rdsiam policy against loopback fakes of STS, RDS and IAM answering real XML (through the SDK's
// AWS_ENDPOINT_URL_* overrides), and against the test bed for the TLS handshake and the login.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DoctorReport, Finding } from '../../src/doctor/findings.js';
import { inProcess, TOKEN_TEXT } from '../support/cli.js';
import { EXAMPLE_KEYS } from '../support/credentials.js';
import { FakeRdsApi } from '../support/fake-rds-api.js';
import { FakeIamApi, FakeStsApi } from '../support/fake-sts-iam-api.js';
import { NO_CONFIG_DIR } from '../support/projects.js';
import { runNode } from '../support/run.js';
import { testbedEnv } from '../support/testbed-config.js';
import { requireTestbed } from '../support/testbed.js';
import { hidingModules } from '../support/hide-modules.js';

const HOST = 'orders.cluster-c9akciq32.us-east-1.rds.amazonaws.com';
const RESOURCE_ID = 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXY2';
const ROLE = 'arn:aws:iam::123456789012:role/app-role';
const ARN = `arn:aws:rds-db:us-east-1:123456789012:dbuser:${RESOURCE_ID}/app`;
const ENV = { RDSIAM_DSN: `postgres://app@${HOST}/app`, RDSIAM_PLUGINS: 'iam' };
const credentials = async () => ({ ...EXAMPLE_KEYS });

const sts = new FakeStsApi();
const rds = new FakeRdsApi();
const iam = new FakeIamApi();
const ENDPOINT_VARS = ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_RDS', 'AWS_ENDPOINT_URL_IAM'] as const;
let saved: Record<string, string | undefined> = {};

before(async () => {
  await Promise.all([sts.start(), rds.start(), iam.start()]);
  saved = Object.fromEntries(ENDPOINT_VARS.map((k) => [k, process.env[k]]));
  Object.assign(process.env, fakeUrls());
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
});
after(async () => {
  for (const k of ENDPOINT_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await Promise.all([sts.stop(), rds.stop(), iam.stop()]);
});
// Each test starts from a database with IAM on, an identity allowed to connect, and clocks that agree.
beforeEach(() => {
  sts.clockOffsetMs = 0;
  rds.dbClusters = [
    {
      identifier: 'orders',
      resourceId: RESOURCE_ID,
      endpoint: HOST,
      port: 5432,
      engine: 'aurora-postgresql',
      iamAuth: true,
    },
  ];
  rds.dbInstances = [];
  rds.clusterEndpoints = [];
  rds.proxies = [];
  rds.proxyEndpoints = [];
  rds.clusters = [];
  iam.decide = (principal, action, resource) =>
    principal === ROLE && action === 'rds-db:connect' && resource === ARN
      ? { decision: 'allowed', matched: [{ policyId: 'orders-db-connect', type: 'user-managed', line: 3 }] }
      : { decision: 'implicitDeny' };
});

function fakeUrls(): Record<string, string> {
  return { AWS_ENDPOINT_URL_STS: sts.url, AWS_ENDPOINT_URL_RDS: rds.url, AWS_ENDPOINT_URL_IAM: iam.url };
}

async function doctor(env: Record<string, string> = ENV, flags = ['--no-connect']) {
  const r = await inProcess(['doctor', '--json', ...flags], env, { tokenDeps: { credentials } });
  assert.doesNotMatch(r.out + r.err, new RegExp(EXAMPLE_KEYS.secretAccessKey.replace(/[+/]/g, '\\$&')));
  assert.doesNotMatch(r.out + r.err, TOKEN_TEXT);
  assert.equal(r.err, '');
  return { code: r.code, report: JSON.parse(r.out) as DoctorReport };
}

function only(report: DoctorReport, code: string): Finding {
  const found = report.findings.filter((f) => f.code === code);
  assert.equal(found.length, 1, `one ${code} in ${JSON.stringify(report.findings, null, 2)}`);
  return found[0]!;
}

describe('rdsiam doctor against fake AWS APIs', () => {
  test('all is well: identity, database, permission and clock, no error, exit 0', async () => {
    const { code, report } = await doctor();
    assert.equal(code, 0, JSON.stringify(report, null, 2));
    assert.deepEqual([report.ok, report.conclusion], [true, null]);
    assert.match(
      only(report, 'identity').message,
      /assumed-role\/app-role\/i-0abc.*attach to arn:aws:iam::123456789012:role\/app-role/,
    );
    assert.match(only(report, 'database').message, new RegExp(`DB cluster orders \\(resource id ${RESOURCE_ID}`));
    const allowed = only(report, 'permission-allowed');
    assert.deepEqual([allowed.resource, allowed.decision], [ARN, 'allowed']);
    assert.deepEqual(allowed.matchedStatements, ['orders-db-connect (user-managed, line 3)']);
    only(report, 'clock-ok');
    assert.match(only(report, 'not-simulated').message, /session policy/);
    const [simulated] = iam.callsOf('SimulatePrincipalPolicy').slice(-1);
    assert.deepEqual(
      [
        simulated?.params['PolicySourceArn'],
        simulated?.params['ActionNames.member.1'],
        simulated?.params['ResourceArns.member.1'],
      ],
      [ROLE, 'rds-db:connect', ARN],
    );
  });

  test('iam-auth-disabled: the one cause, with the command that enables it', async () => {
    rds.dbClusters[0]!.iamAuth = false;
    const { code, report } = await doctor();
    assert.equal(code, 1);
    assert.equal(report.conclusion?.code, 'iam-auth-disabled');
    assert.match(
      report.conclusion?.fix ?? '',
      /modify-db-cluster --db-cluster-identifier orders --enable-iam-database-authentication/,
    );
    assert.equal(report.findings[0]?.code, 'iam-auth-disabled', 'the error comes first');
  });

  test('a proxy whose IAM authentication is disabled, found through its own endpoint', async () => {
    const proxyHost = 'reads.endpoint.proxy-c9akciq32.us-east-1.rds.amazonaws.com';
    rds.proxyEndpoints = [{ name: 'reads', proxy: 'orders-proxy', endpoint: proxyHost }];
    rds.proxies = [
      {
        name: 'orders-proxy',
        resourceId: 'prx-0123456789abcdef0',
        endpoint: 'orders-proxy.proxy-c9akciq32.us-east-1.rds.amazonaws.com',
        engineFamily: 'POSTGRESQL',
        iamAuth: 'DISABLED',
      },
    ];
    iam.decide = () => ({ decision: 'allowed' });
    const { code, report } = await doctor({ ...ENV, RDSIAM_DSN: `postgres://app@${proxyHost}/app` });
    assert.equal(code, 1);
    assert.equal(report.conclusion?.code, 'iam-auth-disabled');
    assert.match(report.conclusion?.message ?? '', /DB proxy orders-proxy/);
    assert.match(only(report, 'database').message, /resource id prx-0123456789abcdef0/);
    rds.proxies[0]!.iamAuth = 'REQUIRED';
    const required = await doctor({ ...ENV, RDSIAM_DSN: `postgres://app@${proxyHost}/app` });
    assert.equal(required.code, 0);
    assert.equal(
      only(required.report, 'permission-allowed').resource,
      'arn:aws:rds-db:us-east-1:123456789012:dbuser:prx-0123456789abcdef0/app',
    );
  });

  test('an Aurora instance endpoint and a custom endpoint are judged by their cluster', async () => {
    rds.dbInstances = [
      {
        identifier: 'orders-1',
        resourceId: 'db-INSTANCE',
        endpoint: 'orders-1.c9akciq32.us-east-1.rds.amazonaws.com',
        port: 5432,
        engine: 'aurora-postgresql',
        iamAuth: false,
        cluster: 'orders',
      },
    ];
    rds.clusterEndpoints = [
      {
        identifier: 'analytics',
        cluster: 'orders',
        endpoint: 'analytics.cluster-custom-c9akciq32.us-east-1.rds.amazonaws.com',
      },
    ];
    for (const host of [
      'orders-1.c9akciq32.us-east-1.rds.amazonaws.com',
      'analytics.cluster-custom-c9akciq32.us-east-1.rds.amazonaws.com',
    ]) {
      const { code, report } = await doctor({ ...ENV, RDSIAM_DSN: `postgres://app@${host}/app` });
      assert.equal(code, 0, host);
      assert.equal(only(report, 'permission-allowed').resource, ARN, host);
    }
  });

  test('permission-denied: implicit deny, and explicit deny naming the statement', async () => {
    iam.decide = () => ({ decision: 'implicitDeny' });
    const implicit = await doctor();
    assert.equal(implicit.code, 1);
    assert.equal(implicit.report.conclusion?.code, 'permission-denied');
    const denied = only(implicit.report, 'permission-denied');
    assert.deepEqual([denied.decision, denied.resource], ['implicitDeny', ARN]);
    assert.match(denied.fix ?? '', /Attach a policy allowing rds-db:connect on .* `rdsiam policy` prints it/);

    iam.decide = () => ({
      decision: 'explicitDeny',
      matched: [{ policyId: 'no-prod-db', type: 'user-managed', line: 12 }],
    });
    const explicit = only((await doctor()).report, 'permission-denied');
    assert.equal(explicit.decision, 'explicitDeny');
    assert.match(explicit.fix ?? '', /Remove or narrow the Deny statement in no-prod-db \(user-managed, line 12\)/);
  });

  test('database-not-found: no cluster of that name in this account and region', async () => {
    rds.dbClusters = [];
    const { code, report } = await doctor();
    assert.equal(code, 1);
    assert.equal(report.conclusion?.code, 'database-not-found');
    assert.match(report.conclusion?.message ?? '', /No DB cluster named orders in us-east-1/);
    assert.equal(
      report.findings.find((f) => f.code === 'permission-allowed'),
      undefined,
      'nothing to simulate without a resource id',
    );
  });

  test('region-mismatch and the permission it breaks: no single cause, a ranked list, the region first', async () => {
    const { code, report } = await doctor({ ...ENV, RDSIAM_IAM_REGION: 'us-west-2' });
    assert.equal(code, 1);
    assert.equal(report.conclusion, null);
    assert.deepEqual(
      report.findings.filter((f) => f.severity === 'error').map((f) => f.code),
      ['region-mismatch', 'permission-denied'],
    );
    assert.match(
      report.findings[0]!.message,
      /signed for region us-west-2 \(iam_region, from RDSIAM_IAM_REGION\), but .* is in us-east-1/,
    );
  });

  test('port-mismatch: the token names another port than the database listens on', async () => {
    const { code, report } = await doctor({ ...ENV, RDSIAM_IAM_DEFAULT_PORT: '6432' });
    assert.equal(code, 1);
    assert.equal(report.conclusion?.code, 'port-mismatch');
    assert.match(report.conclusion?.fix ?? '', /iam_default_port: 5432/);
  });

  test('clock-skew: a Date header 10 minutes off is an error, 2 minutes a warning', async () => {
    sts.clockOffsetMs = 10 * 60_000;
    const { code, report } = await doctor();
    assert.equal(code, 1);
    assert.equal(report.conclusion?.code, 'clock-skew');
    assert.match(report.conclusion?.message ?? '', /is (599|600|601) s behind AWS's/);
    sts.clockOffsetMs = -2 * 60_000;
    const warned = await doctor();
    assert.equal(warned.code, 0);
    assert.equal(only(warned.report, 'clock-skew').severity, 'warning');
  });

  test('lookup-denied: each lookup denied in turn names its permission, and the doctor goes on', async () => {
    const denied = { kind: 'error', status: 403, code: 'AccessDenied', message: 'not authorized' } as const;
    for (const [api, permission] of [
      [sts, 'sts:GetCallerIdentity'],
      [rds, 'rds:DescribeDBClusters'],
      [iam, 'iam:SimulatePrincipalPolicy'],
    ] as const) {
      api.fail(denied);
      const { code, report } = await doctor();
      assert.equal(code, 0, permission);
      const f = only(report, 'lookup-denied');
      assert.equal(f.permission, permission);
      assert.ok((f.unchecked ?? []).length > 0, permission);
      if (api !== rds)
        assert.equal(
          report.findings.filter((x) => x.code === 'database').length,
          1,
          `${permission}: RDS still looked up`,
        );
    }
  });

  test('endpoint-invalid: an IP address as the host stops the doctor before any lookup', async () => {
    const before = sts.calls.length;
    const { code, report } = await doctor({ RDSIAM_DSN: 'postgres://app@10.0.0.5/app', RDSIAM_PLUGINS: 'iam' });
    assert.equal(code, 1);
    assert.equal(report.conclusion?.code, 'endpoint-invalid');
    assert.equal(sts.calls.length, before);
  });

  test('package-missing: a hidden @aws-sdk/client-iam is a finding with the install line, not a crash', async () => {
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    const probe = `${hidingModules("specifier === '@aws-sdk/client-iam'")}
const { main } = await import(${JSON.stringify(main)});
let out = '';
const code = await main(['doctor', '--json', '--no-connect'], { out: (t) => (out += t), err: (t) => process.stderr.write(t), env: process.env, cwd: ${JSON.stringify(NO_CONFIG_DIR)} });
console.log(JSON.stringify({ code, report: JSON.parse(out) }));
`;
    const r = await runNode(['--import', 'tsx', '--input-type=module', '-e', probe], {
      ...ENV,
      ...fakeUrls(),
      AWS_ACCESS_KEY_ID: EXAMPLE_KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EXAMPLE_KEYS.secretAccessKey,
    });
    assert.equal(r.code, 0, r.err);
    const { code, report } = JSON.parse(r.out.trim().split('\n').pop()!) as { code: number; report: DoctorReport };
    assert.equal(code, 0);
    const f = only(report, 'package-missing');
    assert.deepEqual(
      [f.package, f.fix, f.severity],
      ['@aws-sdk/client-iam', 'npm install @aws-sdk/client-iam', 'warning'],
    );
    only(report, 'database');
  });

  test('text output names the cause and its fix', async () => {
    rds.dbClusters[0]!.iamAuth = false;
    const r = await inProcess(['doctor', '--no-connect'], ENV, { tokenDeps: { credentials } });
    assert.equal(r.code, 1);
    assert.match(r.out, /^error {3}iam-auth-disabled: /m);
    assert.match(r.out, /^Cause: iam-auth-disabled\. /m);
    assert.match(r.out, /^Fix: Enable it: aws rds modify-db-cluster/m);
  });
});

describe('rdsiam policy', () => {
  test('--format json is exactly an IAM policy document with the looked-up ARN', async () => {
    const r = await inProcess(['policy'], ENV, { tokenDeps: { credentials } });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    assert.deepEqual(JSON.parse(r.out), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'rds-db:connect', Resource: ARN }],
    });
  });

  test('terraform and cdk formats carry the same ARN', async () => {
    const tf = await inProcess(['policy', '--format', 'terraform'], ENV, { tokenDeps: { credentials } });
    assert.match(tf.out, /^data "aws_iam_policy_document" "rdsiam" \{\n {2}statement \{/);
    assert.ok(tf.out.includes(`resources = ["${ARN}"]`));
    const cdk = await inProcess(['policy', '--format', 'cdk'], ENV, { tokenDeps: { credentials } });
    assert.ok(cdk.out.startsWith('new iam.PolicyStatement({\n  effect: iam.Effect.ALLOW,'));
    assert.ok(cdk.out.includes(`resources: ['${ARN}']`));
    assert.equal((await inProcess(['policy', '--format', 'yaml'], ENV)).code, 2);
  });

  test('--no-lookup and a denied lookup: placeholders, and stderr says where to find the values', async () => {
    const before = sts.calls.length;
    const r = await inProcess(['policy', '--no-lookup'], ENV, { tokenDeps: { credentials } });
    assert.equal(r.code, 0);
    assert.equal(sts.calls.length, before, 'no AWS call');
    assert.equal(
      JSON.parse(r.out).Statement[0].Resource,
      'arn:aws:rds-db:us-east-1:<account>:dbuser:<resource-id>/app',
    );
    assert.match(
      r.err,
      /describe-db-clusters --db-cluster-identifier orders --query 'DBClusters\[0\]\.DbClusterResourceId'/,
    );
    rds.fail({ kind: 'error', status: 403, code: 'AccessDenied', message: 'not authorized' });
    const denied = await inProcess(['policy'], ENV, { tokenDeps: { credentials } });
    assert.equal(
      JSON.parse(denied.out).Statement[0].Resource,
      'arn:aws:rds-db:us-east-1:123456789012:dbuser:<resource-id>/app',
    );
    assert.match(denied.err, /rds:DescribeDBClusters was denied/);
  });

  test('a global endpoint without iam_region adds rds:DescribeGlobalClusters; DSQL gets its own action', async () => {
    const globalHost = 'orders.global-abc123xyz.global.rds.amazonaws.com';
    rds.clusters = [
      {
        identifier: 'orders',
        endpoint: globalHost,
        members: [{ arn: 'arn:aws:rds:us-east-1:123456789012:cluster:orders', isWriter: true }],
      },
    ];
    const global = JSON.parse(
      (
        await inProcess(
          ['policy'],
          { ...ENV, RDSIAM_DSN: `postgres://app@${globalHost}/app` },
          { tokenDeps: { credentials } },
        )
      ).out,
    );
    assert.deepEqual(global.Statement, [
      { Effect: 'Allow', Action: 'rds-db:connect', Resource: ARN },
      {
        Effect: 'Allow',
        Action: 'rds:DescribeGlobalClusters',
        Resource: 'arn:aws:rds::123456789012:global-cluster:orders',
      },
    ]);
    const dsqlEnv = {
      RDSIAM_DSN: 'postgres://admin@abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws/postgres',
      RDSIAM_PLUGINS: 'iam_dsql',
    };
    const dsql = JSON.parse((await inProcess(['policy'], dsqlEnv, { tokenDeps: { credentials } })).out);
    assert.deepEqual(dsql.Statement, [
      {
        Effect: 'Allow',
        Action: 'dsql:DbConnectAdmin',
        Resource: 'arn:aws:dsql:us-east-1:123456789012:cluster/abcdefghijklmnopqrstuvwxyz',
      },
    ]);
  });

  test('--sql prints the grant for the user: PostgreSQL, MySQL and a DSQL role', async () => {
    assert.equal((await inProcess(['policy', '--sql'], ENV)).out, 'GRANT rds_iam TO "app";\n');
    const mysql = await inProcess(['policy', '--sql'], {
      ...ENV,
      RDSIAM_DSN: `mysql://app@${HOST.replace('orders', 'shop')}/app`,
    });
    assert.equal(mysql.out, "CREATE USER 'app' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS';\n");
    const dsql = await inProcess(
      ['policy', '--sql'],
      {
        RDSIAM_DSN: 'postgres://reporter@abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws/postgres',
        RDSIAM_PLUGINS: 'iam_dsql',
      },
      { tokenDeps: { credentials } },
    );
    assert.equal(dsql.out, `CREATE ROLE "reporter" WITH LOGIN;\nAWS IAM GRANT "reporter" TO '${ROLE}';\n`);
  });
});

describe('rdsiam doctor against the test bed', () => {
  // The fakes describe the test bed's endpoints as RDS would, IAM on and the login allowed: what is left is the database.
  async function testbedDoctor(server: 'postgres' | 'mysql', user: string, extra: Record<string, string> = {}) {
    const tb = await requireTestbed({ skip: () => {} });
    if (!tb) return undefined;
    const s = tb[server];
    rds.dbClusters = [
      {
        identifier: s.endpoint.split('.')[0]!,
        resourceId: RESOURCE_ID,
        endpoint: s.endpoint,
        port: s.port,
        engine: `aurora-${server === 'mysql' ? 'mysql' : 'postgresql'}`,
        iamAuth: true,
      },
    ];
    iam.decide = () => ({ decision: 'allowed' });
    const key = await tb.newKey();
    const env = testbedEnv(tb, server, key, {
      ...extra,
      RDSIAM_DSN: `${server === 'mysql' ? 'mysql' : 'postgres'}://${user}@${s.host}:${s.port}/${s.database}`,
    });
    const r = await inProcess(['doctor', '--json'], env, { tokenDeps: { credentials: async () => ({ ...key }) } });
    assert.doesNotMatch(r.out + r.err, TOKEN_TEXT);
    assert.doesNotMatch(r.out + r.err, new RegExp(key.secretAccessKey.replace(/[+/]/g, '\\$&')));
    return { code: r.code, report: JSON.parse(r.out) as DoctorReport, tb };
  }

  for (const server of ['postgres', 'mysql'] as const) {
    test(`${server}: a user never granted IAM is db-user-not-iam, with the grant; the IAM user logs in`, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const refused = await testbedDoctor(server, tb[server].passwordUser);
      assert.ok(refused);
      assert.equal(refused.code, 1, JSON.stringify(refused.report, null, 2));
      assert.equal(refused.report.conclusion?.code, 'db-user-not-iam');
      const grant =
        server === 'postgres'
          ? `GRANT rds_iam TO "${tb.postgres.passwordUser}";`
          : `CREATE USER '${tb.mysql.passwordUser}' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS';`;
      assert.deepEqual(only(refused.report, 'db-user-not-iam').sql, [grant]);
      assert.ok(refused.report.conclusion?.fix?.endsWith(grant));
      only(refused.report, 'tls-verified');
      only(refused.report, 'login-refused');

      const ok = await testbedDoctor(server, tb[server].iamUser);
      assert.equal(ok?.code, 0, JSON.stringify(ok?.report, null, 2));
      only(ok!.report, 'login-ok');
    });
  }

  test('tls-untrusted: the certificate does not name ssl.servername; no login is tried', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const r = await testbedDoctor('postgres', tb.postgres.iamUser, { RDSIAM_SSL__SERVERNAME: 'wrong.example.com' });
    assert.ok(r);
    assert.equal(r.report.conclusion?.code, 'tls-untrusted');
    assert.match(r.report.conclusion?.message ?? '', /ERR_TLS_CERT_ALTNAME_INVALID/);
    assert.equal(
      r.report.findings.find((f) => f.code.startsWith('login')),
      undefined,
    );
  });
});
