import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { dsnTls, parseDsn as parse, type ParsedDsn } from '../../src/config/dsn.js';
import { redactUrlText } from '../../src/secret.js';

function parseDsn(text: string): ParsedDsn {
  const result = parse(text);
  assert.ok(result.ok, `expected ${text} to parse`);
  return result.value;
}

function problem(text: string): string {
  const result = parse(text);
  assert.equal(result.ok, false, `expected ${text} to be rejected`);
  return result.ok ? '' : result.problem;
}

describe('parseDsn', () => {
  it('decodes every part and keeps the password as a Secret', () => {
    const dsn = parseDsn('postgresql://app%20user:p%40ss%2Fw@db.example.com:6543/my%20db?application_name=x');
    assert.equal(dsn.engine, 'postgres');
    assert.equal(dsn.protocol, 'postgresql:');
    assert.equal(dsn.user, 'app user');
    assert.equal(dsn.password?.reveal(), 'p@ss/w');
    assert.equal(dsn.host, 'db.example.com');
    assert.equal(dsn.port, 6543);
    assert.equal(dsn.database, 'my db');
    assert.deepEqual(dsn.params, { application_name: 'x' });
    assert.equal(dsn.redacted, 'postgresql://app%20user:***@db.example.com:6543/my%20db?application_name=x');
  });

  it('makes port and database optional and reads mysql and IPv6 hosts', () => {
    const dsn = parseDsn('mysql://root@[::1]');
    assert.equal(dsn.engine, 'mysql');
    assert.equal(dsn.host, '::1');
    assert.equal(dsn.port, undefined);
    assert.equal(dsn.database, undefined);
    assert.equal(dsn.password, undefined);
  });

  it('treats a password query parameter as the password, never as a param', () => {
    const dsn = parseDsn('postgres://u@h/db?password=hunter22&x=1');
    assert.equal(dsn.password?.reveal(), 'hunter22');
    assert.deepEqual(dsn.params, { x: '1' });
    assert.ok(!dsn.redacted.includes('hunter22'));
  });

  it('never shows the password in util.inspect or JSON', () => {
    const dsn = parseDsn('postgres://u:hunter22@h/db');
    assert.ok(!inspect(dsn, { depth: 10 }).includes('hunter22'));
    assert.ok(!JSON.stringify(dsn).includes('hunter22'));
  });

  it('rejects a missing user, a missing host, port 0, bad schemes, fragments and bad encodings', () => {
    assert.match(problem('postgres://db.example.com/app'), /must include a user name/);
    assert.match(problem('mysql://u@:3306/app'), /not a valid URL|must include a host/);
    assert.match(problem('postgres://u@h:0/db'), /port 0/);
    assert.match(problem('redis://u@h/0'), /scheme "redis:\/\/"; use postgres:\/\/, postgresql:\/\/ or mysql:\/\//);
    assert.match(problem('db.example.com'), /must be a URL like postgres:\/\//);
    assert.match(problem('postgres://u@h/db#x'), /%23/);
    assert.match(problem('postgres://u:bad%zz@h/db'), /malformed percent-encoding/);
  });

  it('keeps passwords out of every rejection, even of DSNs too broken to parse', () => {
    for (const text of [
      'postgres://u:pa/ssword1@host/db',
      'postgres://u:pass#word1@h/db',
      'postgres://u:password1@h:0/db',
    ]) {
      assert.ok(!problem(text).includes('ssword1'), problem(text));
    }
  });
});

describe('redactUrlText', () => {
  it('masks everything between :// and the last @, keeping a cleanly delimited user', () => {
    assert.equal(redactUrlText('postgres://u:p@ss@h/db'), 'postgres://u:***@h/db');
    assert.equal(redactUrlText('postgres://h/db?password=x&y=1'), 'postgres://h/db?password=***&y=1');
    assert.equal(redactUrlText('plain text'), 'plain text');
  });
});

describe('dsnTls', () => {
  it('maps sslmode and sslrootcert of a postgres DSN and removes them from params', () => {
    const ssl = dsnTls(parseDsn('postgres://u@h/db?sslmode=verify-ca&sslrootcert=/ca.pem&x=1'));
    assert.equal(ssl.mode, 'verify-ca');
    assert.equal(ssl.ca, '/ca.pem');
    assert.deepEqual(ssl.params, { x: '1' });
    assert.deepEqual(ssl.problems, []);
  });

  it("maps MySQL's upper-case ssl-mode values and ssl-ca", () => {
    const cases = { VERIFY_IDENTITY: 'verify-full', VERIFY_CA: 'verify-ca', REQUIRED: 'require', DISABLED: 'disable' };
    for (const [value, mode] of Object.entries(cases)) {
      const ssl = dsnTls(parseDsn(`mysql://u@h/db?ssl-mode=${value}&ssl-ca=ca.pem`));
      assert.equal(ssl.mode, mode);
      assert.equal(ssl.ca, 'ca.pem');
      assert.deepEqual(ssl.params, {});
    }
  });

  it('rejects modes that do not map onto ssl.mode', () => {
    assert.match(dsnTls(parseDsn('postgres://u@h/db?sslmode=prefer')).problems[0] ?? '', /sslmode=prefer/);
    assert.match(dsnTls(parseDsn('mysql://u@h/db?ssl-mode=PREFERRED')).problems[0] ?? '', /VERIFY_IDENTITY/);
  });

  it("leaves the other engine's parameter names alone", () => {
    const ssl = dsnTls(parseDsn('postgres://u@h/db?ssl-mode=REQUIRED'));
    assert.equal(ssl.mode, undefined);
    assert.deepEqual(ssl.params, { 'ssl-mode': 'REQUIRED' });
  });
});

describe('parseDsn: token-shaped text', () => {
  it('masks a token pasted into a query parameter in the printable form', () => {
    const dsn = parseDsn(`postgres://app@db.example.com/x?note=X-Amz-Signature=${'ab'.repeat(32)}`);
    assert.doesNotMatch(dsn.redacted, /X-Amz-Signature=[0-9a-f]{64}/);
    assert.match(dsn.redacted, /X-Amz-Signature=\*\*\*/);
  });
});
