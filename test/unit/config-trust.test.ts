// A config file another user could have written is never loaded: the search stops at the project root, and every
// file found or named passes the trust check (src/config/trust.ts) before anything reads it as code or data.
// Real files, real modes and real owners: the tests that hand a file to `nobody` need root, as in CI.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load.js';
import { configTrustProblem } from '../../src/config/trust.js';
import { RDS_HOST } from '../support/hosts.js';
import { JSON_CONFIG, NEEDS_ROOT, NOBODY, plantedSharedDir, tempProject, writeFiles } from '../support/projects.js';
import { tempDir } from '../support/temp-dir.js';

async function refusal(options: LoadConfigOptions): Promise<string> {
  try {
    await loadConfig(options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected loadConfig to refuse');
}

/** An empty home, so that no user config place of the machine's counts. */
function emptyHome(): Record<string, string> {
  return { HOME: tempDir('rdsiam-home-') };
}

describe('config trust: a planted config in a shared directory', { skip: NEEDS_ROOT }, () => {
  it('is not reached from a subdirectory with no project root, and nothing runs', async () => {
    const { ran, nested } = plantedSharedDir();
    const message = await refusal({ cwd: nested, env: emptyHome() });
    assert.match(message, /no rdsiam config was found: searched .*\/x\/y \(no package\.json or package\.yaml in it/);
    assert.match(message, /never in other parent directories/);
    assert.equal(existsSync(ran), false, 'the planted .rdsiamrc.cjs ran');
  });

  it('is refused when searched for in the shared directory itself, naming the file and the reason', async () => {
    const { shared, ran } = plantedSharedDir();
    const json = await refusal({ cwd: shared, env: emptyHome() });
    assert.match(json, /^Refused an rdsiam config file that another user could have written:/);
    assert.ok(
      json.includes(`(from ${join(shared, '.rdsiamrc.json')}): is refused: it is owned by another user (uid 65534)`),
      json,
    );

    rmSync(join(shared, '.rdsiamrc.json'));
    const cjs = await refusal({ cwd: shared, env: emptyHome() });
    assert.ok(cjs.includes(`(from ${join(shared, '.rdsiamrc.cjs')}): is refused`), cjs);
    assert.equal(existsSync(ran), false, 'the planted .rdsiamrc.cjs ran');
  });

  it('is refused for its directory alone when the files there are mine: anyone could have put them there', async () => {
    const { shared, ran } = plantedSharedDir();
    for (const name of ['.rdsiamrc.cjs', '.rdsiamrc.json']) chownSync(join(shared, name), 0, 0);
    const message = await refusal({ cwd: shared, env: emptyHome() });
    assert.ok(message.includes(`is in ${shared}, a directory writable by others (mode 1777, sticky`), message);
    assert.match(
      message,
      /move the config into a directory of your own .* or, if this directory is shared on purpose, list it in RDSIAM_TRUST_CONFIG_DIRS/,
    );
    assert.equal(existsSync(ran), false);
  });

  it('is refused when a planted package.json makes the shared directory a project root above the start', async () => {
    const { shared, ran, nested } = plantedSharedDir();
    writeFiles(shared, { 'package.json': '{}' });
    chownSync(join(shared, 'package.json'), NOBODY, NOBODY);
    const message = await refusal({ cwd: nested, env: emptyHome() });
    assert.match(message, /^Refused an rdsiam config file/);
    assert.equal(existsSync(ran), false);
  });

  it('loads when RDSIAM_TRUST_CONFIG_DIRS lists the directory, which readEnv does not take for a setting', async () => {
    const { shared } = plantedSharedDir();
    rmSync(join(shared, '.rdsiamrc.cjs'));
    const config = await loadConfig({
      cwd: shared,
      env: { ...emptyHome(), RDSIAM_TRUST_CONFIG_DIRS: `/nonexistent:${shared}` },
    });
    assert.equal(config.dsn.host, RDS_HOST);
    assert.equal(config.configFile, join(shared, '.rdsiamrc.json'));
  });

  it('names RDSIAM_TRUST_CONFIG_DIRS when it holds a relative directory', async () => {
    const { shared } = plantedSharedDir();
    const message = await refusal({ cwd: shared, env: { ...emptyHome(), RDSIAM_TRUST_CONFIG_DIRS: 'shared' } });
    assert.match(message, /RDSIAM_TRUST_CONFIG_DIRS must list absolute directories, and holds "shared"/);
  });
});

describe('config trust: each reason, in a project of my own', () => {
  it('refuses a file owned by another user', { skip: NEEDS_ROOT }, async () => {
    const root = tempProject({ '.rdsiamrc.json': JSON_CONFIG });
    chownSync(join(root, '.rdsiamrc.json'), NOBODY, NOBODY);
    assert.match(
      await refusal({ cwd: root, env: {} }),
      /\.rdsiamrc\.json\): is refused: it is owned by another user \(uid 65534\)/,
    );
  });

  it('refuses a file writable by its group, and one writable by others', async () => {
    for (const [bits, shown] of [
      [0o664, '0664'],
      [0o646, '0646'],
    ] as const) {
      const root = tempProject({ '.rdsiamrc.yaml': `dsn: postgres://app@${RDS_HOST}/app\n` });
      chmodSync(join(root, '.rdsiamrc.yaml'), bits);
      const message = await refusal({ cwd: root, env: {} });
      assert.ok(message.includes(`is writable by group or others (mode ${shown})`), message);
      assert.ok(message.includes(`chmod go-w ${join(root, '.rdsiamrc.yaml')}`), message);
    }
  });

  it('refuses a file in a directory writable by others, sticky or not, and in .config/ too', async () => {
    const plain = tempProject({ '.rdsiamrc.json': JSON_CONFIG });
    chmodSync(plain, 0o777);
    assert.match(await refusal({ cwd: plain, env: {} }), /a directory writable by others \(mode 0777\)/);

    const inConfigDir = tempProject({ '.config/rdsiamrc.json': JSON_CONFIG });
    chmodSync(join(inConfigDir, '.config'), 0o777);
    assert.ok(
      (await refusal({ cwd: inConfigDir, env: {} })).includes(
        `is in ${join(inConfigDir, '.config')}, a directory writable by others`,
      ),
    );
  });

  it('refuses a file in a directory owned by another user, though the file is mine', { skip: NEEDS_ROOT }, async () => {
    const root = tempProject({ '.rdsiamrc.json': JSON_CONFIG });
    chownSync(root, NOBODY, NOBODY);
    assert.match(await refusal({ cwd: root, env: {} }), /a directory owned by another user \(uid 65534\)/);
  });

  it('refuses a link in my project to a file in a shared directory', async () => {
    const shared = tempDir('rdsiam-shared-');
    writeFiles(shared, { 'rdsiam.json': JSON_CONFIG });
    chmodSync(shared, 0o1777);
    const root = tempProject({});
    symlinkSync(join(shared, 'rdsiam.json'), join(root, '.rdsiamrc.json'));
    assert.ok((await refusal({ cwd: root, env: {} })).includes(`is in ${shared}, a directory writable by others`));
  });

  it('trusts the files of the user who ran sudo when running as root, and only then', {
    skip: NEEDS_ROOT,
  }, async () => {
    const root = tempProject({ '.rdsiamrc.json': JSON_CONFIG });
    chownSync(join(root, '.rdsiamrc.json'), NOBODY, NOBODY);
    chownSync(root, NOBODY, NOBODY);
    assert.equal((await loadConfig({ cwd: root, env: { SUDO_UID: String(NOBODY) } })).dsn.host, RDS_HOST);
    assert.match(await refusal({ cwd: root, env: { SUDO_UID: '1000' } }), /owned by another user \(uid 65534\)/);
  });

  it('checks nothing where there are no POSIX owners (Windows: no process.getuid)', () => {
    const shared = tempDir('rdsiam-shared-');
    writeFiles(shared, { '.rdsiamrc.json': JSON_CONFIG });
    chmodSync(shared, 0o1777);
    const file = join(shared, '.rdsiamrc.json');
    assert.match(configTrustProblem(file, {}) ?? '', /writable by others/);
    const getuid = process.getuid;
    try {
      process.getuid = undefined;
      assert.equal(configTrustProblem(file, {}), undefined);
    } finally {
      process.getuid = getuid;
    }
  });
});

describe('config trust: named files and the user config places', () => {
  it('loads a file named by RDSIAM_CONFIG in a private directory, and refuses one in a shared directory', async () => {
    const privateDir = tempDir('rdsiam-private-');
    writeFiles(privateDir, { 'db.json': JSON_CONFIG });
    const cwd = tempProject({});
    const config = await loadConfig({ cwd, env: { RDSIAM_CONFIG: join(privateDir, 'db.json') } });
    assert.equal(config.dsn.host, RDS_HOST);

    chmodSync(privateDir, 0o1777);
    const message = await refusal({ cwd, env: { RDSIAM_CONFIG: join(privateDir, 'db.json') } });
    assert.ok(
      message.includes(`configFile (from RDSIAM_CONFIG): names ${join(privateDir, 'db.json')}, which is refused`),
      message,
    );
    const byCode = await refusal({ cwd, env: {}, configFile: join(privateDir, 'db.json') });
    assert.ok(byCode.includes('configFile (from options passed in code): names'), byCode);
  });

  it('looks in the start directory, then in $XDG_CONFIG_HOME/rdsiam/ and ~/.config/rdsiam/, when there is no project root', async () => {
    const home = tempDir('rdsiam-home-');
    writeFiles(home, {
      '.config/rdsiam/.rdsiamrc.json': JSON.stringify({ dsn: 'postgres://app@home.example.com/app' }),
    });
    const xdg = tempDir('rdsiam-xdg-');
    writeFiles(xdg, { 'rdsiam/.rdsiamrc.yaml': 'dsn: postgres://app@xdg.example.com/app\n' });
    const start = tempDir('rdsiam-start-');

    assert.equal((await loadConfig({ cwd: start, env: { HOME: home } })).dsn.host, 'home.example.com');
    assert.equal(
      (await loadConfig({ cwd: start, env: { HOME: home, XDG_CONFIG_HOME: xdg } })).dsn.host,
      'xdg.example.com',
    );
    writeFiles(start, { '.rdsiamrc': 'dsn: postgres://app@start.example.com/app\n' });
    assert.equal(
      (await loadConfig({ cwd: start, env: { HOME: home, XDG_CONFIG_HOME: xdg } })).dsn.host,
      'start.example.com',
    );

    // Inside a project, the project alone counts.
    const project = tempProject({});
    assert.match(await refusal({ cwd: project, env: { HOME: home } }), /no rdsiam config was found: searched /);
  });
});
