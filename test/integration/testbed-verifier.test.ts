// The verifier's checks one by one, over the same socket protocol pam_rdsiam speaks
// ("<service>\0<user>\0<token>\0" → "OK\n" | "NO <verdict>\n"), without a database in between.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { test } from 'node:test';
import { DsqlSigner } from '@aws-sdk/dsql-signer';
import { Signer } from '@aws-sdk/rds-signer';
import { presign } from '../support/presign.js';
import { requireTestbed, type TestCredentials, type Testbed } from '../support/testbed.js';

function ask(tb: Testbed, service: string, user: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(tb.pamSocket);
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.end(`${service}\0${user}\0${token}\0`);
  });
}

test('the verifier refuses each malformed or mis-scoped token with its own reason', async (t) => {
  const tb = await requireTestbed(t);
  if (!tb) return;
  const p = tb.postgres;
  const fresh = (k: TestCredentials) =>
    new Signer({
      hostname: p.endpoint,
      port: p.port,
      username: p.iamUser,
      region: p.region,
      credentials: k,
    }).getAuthToken();
  const edit = (token: string, name: string, value: string) => {
    const [head = '', query = ''] = token.split('/?');
    const params = new URLSearchParams(query);
    params.set(name, value);
    return `${head}/?${params.toString()}`;
  };
  // Malformed tokens are refused before a user or key is read, so those cases log in as a user of their own.
  const loner = () => `probe_${randomBytes(6).toString('hex')}`;
  const cases: Array<{ name: string; verdict: string; user?: string; token: (k: TestCredentials) => Promise<string> }> =
    [
      { name: 'not a URL', verdict: 'malformed', user: loner(), token: async () => 'not-a-token' },
      {
        name: 'a parameter twice',
        verdict: 'malformed',
        user: loner(),
        token: async (k) => `${await fresh(k)}&DBUser=${p.iamUser}`,
      },
      {
        name: 'another algorithm',
        verdict: 'algorithm',
        token: async (k) => edit(await fresh(k), 'X-Amz-Algorithm', 'AWS4-HMAC-SHA512'),
      },
      {
        name: 'more signed headers',
        verdict: 'signed-headers',
        token: async (k) => edit(await fresh(k), 'X-Amz-SignedHeaders', 'host;x-amz-date'),
      },
      {
        name: 'X-Amz-Expires over 900',
        verdict: 'expires-range',
        token: async (k) => edit(await fresh(k), 'X-Amz-Expires', '901'),
      },
      {
        name: 'X-Amz-Expires of 0',
        verdict: 'expires-range',
        token: async (k) => edit(await fresh(k), 'X-Amz-Expires', '0'),
      },
      {
        name: 'a scope date that is not the signing date',
        verdict: 'scope',
        token: async (k) => {
          const token = await fresh(k);
          const credential = new URLSearchParams(token.split('/?')[1]).get('X-Amz-Credential') ?? '';
          return edit(token, 'X-Amz-Credential', credential.replace(/\/\d{8}\//, '/19990101/'));
        },
      },
      {
        name: 'another service',
        verdict: 'service',
        token: (k) =>
          presign(k, {
            host: p.endpoint,
            port: p.port,
            service: 'rds',
            query: { Action: 'connect', DBUser: p.iamUser },
          }),
      },
      {
        name: 'another action',
        verdict: 'action',
        token: (k) =>
          presign(k, {
            host: p.endpoint,
            port: p.port,
            service: 'rds-db',
            query: { Action: 'DbConnect', DBUser: p.iamUser },
          }),
      },
    ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const key = await tb.newKey();
      assert.equal(await ask(tb, p.pamService, c.user ?? p.iamUser, await c.token(key)), `NO ${c.verdict}\n`);
      const records = await tb.verifier.logins(c.user ? { user: c.user } : { accessKeyId: key.accessKeyId });
      assert.deepEqual(
        records.map((r) => r.verdict),
        [c.verdict],
      );
    });
  }
});

test('the verifier accepts clock skew within a minute and DSQL lifetimes up to a week', async (t) => {
  const tb = await requireTestbed(t);
  if (!tb) return;
  const p = tb.postgres;
  const d = tb.dsql;
  const key = await tb.newKey();
  const skewed = await presign(key, {
    host: p.endpoint,
    port: p.port,
    service: 'rds-db',
    query: { Action: 'connect', DBUser: p.iamUser },
    signingDate: new Date(Date.now() + 30_000),
  });
  assert.equal(await ask(tb, p.pamService, p.iamUser, skewed), 'OK\n');
  const week = await new DsqlSigner({
    hostname: d.endpoint,
    region: d.region,
    credentials: key,
    expiresIn: 604800,
  }).getDbConnectAuthToken();
  assert.equal(await ask(tb, d.pamService, d.roleUser, week), 'OK\n');
  const rdsWeek = await presign(key, {
    host: p.endpoint,
    port: p.port,
    service: 'rds-db',
    query: { Action: 'connect', DBUser: p.iamUser },
    expiresIn: 604800,
  });
  assert.equal(await ask(tb, p.pamService, p.iamUser, rdsWeek), 'NO expires-range\n');
  const withPort = await presign(key, {
    host: d.endpoint,
    port: d.port,
    service: 'dsql',
    query: { Action: 'DbConnect' },
  });
  assert.equal(
    await ask(tb, d.pamService, d.roleUser, withPort),
    'NO host\n',
    'DSQL tokens name the host without a port',
  );
  assert.deepEqual(
    (await tb.verifier.logins({ accessKeyId: key.accessKeyId })).map((r) => r.verdict),
    ['ok', 'ok', 'expires-range', 'host'],
  );
});

test('the verifier refuses requests for a PAM service it does not know, or not in its format', async (t) => {
  const tb = await requireTestbed(t);
  if (!tb) return;
  const key = await tb.newKey();
  const token = await new Signer({
    hostname: tb.postgres.endpoint,
    port: tb.postgres.port,
    username: 'x',
    region: 'us-east-1',
    credentials: key,
  }).getAuthToken();
  assert.equal(await ask(tb, 'no-such-service', 'x', token), 'NO malformed\n');
  assert.equal(await ask(tb, `${tb.postgres.pamService}\0extra`, 'x', token), 'NO malformed\n');
});

test('the verifier accepts the global writer name, in the region its key says the writer is in', async (t) => {
  const tb = await requireTestbed(t);
  if (!tb) return;
  const p = tb.postgres;
  const key = await tb.newKey({ region: 'us-west-2' });
  const sign = (region: string) =>
    new Signer({
      hostname: p.globalEndpoint,
      port: p.port,
      username: p.iamUser,
      region,
      credentials: key,
    }).getAuthToken();
  assert.equal(await ask(tb, p.pamService, p.iamUser, await sign('us-east-1')), 'NO region\n');
  assert.equal(await ask(tb, p.pamService, p.iamUser, await sign('us-west-2')), 'OK\n');
  // Registering the key again moves its writer back to the server's region.
  await tb.verifier.addKey({ ...key });
  assert.equal(await ask(tb, p.pamService, p.iamUser, await sign('us-west-2')), 'NO region\n');
  assert.equal(await ask(tb, p.pamService, p.iamUser, await sign('us-east-1')), 'OK\n');
  await assert.rejects(tb.verifier.addKey({ ...key, region: 'Mars' }), /region must be an AWS region name/);
});
