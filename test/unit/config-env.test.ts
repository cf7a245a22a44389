import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readEnv } from '../../src/config/env.js';

describe('readEnv', () => {
  it('maps RDSIAM_<KEY> and nested keys (with __ or _) onto config keys with their variables', () => {
    const layer = readEnv(
      {
        RDSIAM_DSN: 'postgres://u@h/db',
        RDSIAM_PLUGINS: 'iam',
        RDSIAM_IAM_EXPIRATION: '600',
        RDSIAM_SSL_MODE: 'verify-ca',
        RDSIAM_POOL__MAX: '7',
        RDSIAM_CONNECTIONS__READER__DSN: 'postgres://u@ro/db',
        RDSIAM_CONNECTIONS__READER__SSL__SERVERNAME: 'ro.example.com',
        PATH: '/usr/bin',
      },
      [],
    );
    assert.deepEqual(layer.issues, []);
    assert.deepEqual(layer.values, {
      dsn: 'postgres://u@h/db',
      plugins: 'iam',
      iam_expiration: 600,
      ssl: { mode: 'verify-ca' },
      pool: { max: 7 },
      connections: { reader: { dsn: 'postgres://u@ro/db', ssl: { servername: 'ro.example.com' } } },
    });
    assert.deepEqual(layer.origins.get('pool.max'), { kind: 'env', variable: 'RDSIAM_POOL__MAX' });
    assert.deepEqual(layer.origins.get('connections.reader.dsn'), {
      kind: 'env',
      variable: 'RDSIAM_CONNECTIONS__READER__DSN',
    });
  });

  it('parses numbers strictly: anything but plain digits stays text for validation to reject', () => {
    const layer = readEnv(
      { RDSIAM_IAM_EXPIRATION: '15m', RDSIAM_CONNECT_TIMEOUT_MS: '1e3', RDSIAM_POOL__MAX: ' 5' },
      [],
    );
    assert.deepEqual(layer.values, { iam_expiration: '15m', connect_timeout_ms: '1e3', pool: { max: ' 5' } });
  });

  it("treats empty variables as unset and skips the loader's RDSIAM_CONFIG and RDSIAM_TRUST_CONFIG_DIRS", () => {
    const layer = readEnv(
      { RDSIAM_DSN: '', RDSIAM_CONFIG: 'x.yaml', RDSIAM_TRUST_CONFIG_DIRS: '/srv/shared', PATH: '/usr/bin' },
      [],
    );
    assert.deepEqual(layer.values, {});
    assert.deepEqual(layer.issues, []);
  });

  it('reports an unknown variable with the nearest known one', () => {
    const layer = readEnv(
      { RDSIAM_IAM_REGOIN: 'us-east-1', RDSIAM_CONNECTIONS__READER__DSM: 'x', RDSIAM_ZZZZZZZZZ: 'x' },
      [],
    );
    const byPath = Object.fromEntries(layer.issues.map((i) => [i.path, i.message]));
    assert.match(byPath.RDSIAM_IAM_REGOIN ?? '', /did you mean RDSIAM_IAM_REGION\?/);
    assert.match(byPath.RDSIAM_CONNECTIONS__READER__DSM ?? '', /did you mean RDSIAM_CONNECTIONS__READER__DSN\?/);
    assert.match(byPath.RDSIAM_ZZZZZZZZZ ?? '', /settings are RDSIAM_<KEY>/);
  });

  it('reports one key set by two spellings', () => {
    const layer = readEnv({ RDSIAM_SSL_MODE: 'verify-ca', RDSIAM_SSL__MODE: 'verify-full' }, []);
    assert.equal(layer.issues.length, 1);
    assert.match(layer.issues[0]?.message ?? '', /set by both RDSIAM_SSL_MODE and RDSIAM_SSL__MODE/);
  });

  it("addresses a file's hyphenated connection name through its upper-case, underscored form", () => {
    const layer = readEnv({ RDSIAM_CONNECTIONS__READ_REPLICA__IAM_REGION: 'eu-west-1' }, ['read-replica']);
    assert.deepEqual(layer.values, { connections: { 'read-replica': { iam_region: 'eu-west-1' } } });
  });
});
