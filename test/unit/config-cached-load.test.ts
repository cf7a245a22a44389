// The connect path's config reuse: same inputs give the same resolved config, and any change is seen.
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { loadConfigCached } from '../../src/config/cached-load.js';
import { FALLBACK_VARIABLES, isConfigVariable } from '../../src/config/env.js';
import { RDS_HOST } from '../support/hosts.js';
import { fixtureProject, tempProject } from '../support/projects.js';

// A config with a reader connection, which these tests only read.
const READ_ONLY = fixtureProject('connections');

describe('loadConfigCached', () => {
  it('reuses the resolved config for the same inputs', async () => {
    const a = await loadConfigCached({ cwd: READ_ONLY, env: {} });
    const b = await loadConfigCached({ cwd: READ_ONLY, env: {} });
    assert.equal(a, b);
  });

  it('sees an edited config file at once', async () => {
    const cwd = tempProject({
      '.rdsiamrc.json': JSON.stringify({ dsn: `postgres://app@${RDS_HOST}/db`, plugins: 'iam' }),
    });
    const before = await loadConfigCached({ cwd, env: {} });
    writeFileSync(
      join(cwd, '.rdsiamrc.json'),
      JSON.stringify({ dsn: `postgres://other@${RDS_HOST}/db`, plugins: 'iam', pool: { max: 3 } }),
    );
    utimesSync(join(cwd, '.rdsiamrc.json'), new Date(), new Date(Date.now() + 5000));
    const after = await loadConfigCached({ cwd, env: {} });
    assert.equal(before.dsn.user, 'app');
    assert.equal(after.dsn.user, 'other');
  });

  it('keys on env variables, overrides and the connection name', async () => {
    const cwd = READ_ONLY;
    const base = await loadConfigCached({ cwd, env: {} });
    assert.equal((await loadConfigCached({ cwd, env: { RDSIAM_POOL__MAX: '7' } })).pool.max, 7);
    assert.equal(
      (await loadConfigCached({ cwd, env: {}, overrides: { connect_timeout_ms: 1234 } })).connect_timeout_ms,
      1234,
    );
    assert.equal((await loadConfigCached({ cwd, env: {}, connection: 'reader' })).connection, 'reader');
    assert.equal(await loadConfigCached({ cwd, env: {} }), base);
  });

  it('keys on every fallback variable the key table declares, AWS_REGION among them', async () => {
    const cwd = READ_ONLY;
    const east = await loadConfigCached({ cwd, env: { AWS_REGION: 'eu-west-1' } });
    const west = await loadConfigCached({ cwd, env: { AWS_REGION: 'us-west-2' } });
    assert.equal(east.iam_global_region, 'eu-west-1');
    assert.equal(west.iam_global_region, 'us-west-2');
    for (const { variable } of FALLBACK_VARIABLES) assert.ok(isConfigVariable(variable), variable);
  });

  it('searches again after a second, so a config file created meanwhile is found', async () => {
    const cwd = tempProject({});
    const env = { RDSIAM_DSN: `postgres://app@${RDS_HOST}/db`, RDSIAM_PLUGINS: 'iam' };
    assert.equal((await loadConfigCached({ cwd, env })).configFile, undefined);
    writeFileSync(join(cwd, '.rdsiamrc.json'), JSON.stringify({ pool: { max: 4 } }));
    await sleep(1100);
    const later = await loadConfigCached({ cwd, env });
    assert.equal(later.configFile, join(cwd, '.rdsiamrc.json'));
    assert.equal(later.pool.max, 4);
  });

  it('does not cache errors', async () => {
    const cwd = tempProject({
      '.rdsiamrc.json': JSON.stringify({ dsn: `postgres://app@${RDS_HOST}/db`, plugins: 'iam', iam_regoin: 'x' }),
    });
    await assert.rejects(loadConfigCached({ cwd, env: {} }), { name: 'ConfigError' });
    writeFileSync(
      join(cwd, '.rdsiamrc.json'),
      JSON.stringify({ dsn: `postgres://app@${RDS_HOST}/db`, plugins: 'iam' }),
    );
    assert.equal((await loadConfigCached({ cwd, env: {} })).dsn.user, 'app');
  });
});

describe('loadConfigCached, concurrently', () => {
  it('shares one load among concurrent calls with the same inputs', async () => {
    const configs = await Promise.all(
      Array.from({ length: 20 }, () => loadConfigCached({ cwd: READ_ONLY, env: { RDSIAM_POOL__MAX: '9' } })),
    );
    assert.ok(configs.every((c) => c === configs[0]));
  });
});
