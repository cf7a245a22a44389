// The config file search looks at directory listings first, so that a directory without a config costs no stat of
// each place and a config from env variables alone never imports cosmiconfig (whose loaders read a found file).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getDefaultSearchPlaces } from 'cosmiconfig';
import { SEARCH_PLACES } from '../../src/config/file.js';
import { RDS_HOST } from '../support/hosts.js';
import { fixtureProject, NO_CONFIG_DIR, tempProject } from '../support/projects.js';

const LOAD = new URL('../../src/config/load.ts', import.meta.url).href;
// Resolved here: the probe runs in a directory outside the project.
const TSX = import.meta.resolve('tsx');
const DSN = `postgres://app@${RDS_HOST}/app`;

// In a child, so that what this process has loaded does not count, and with its own working directory (where
// cosmiconfig looks for a meta config).
const PROBE = `
import { createRequire } from 'node:module';
const { loadConfig } = await import(${JSON.stringify(LOAD)});
const env = JSON.parse(process.env.PROBE_ENV);
let host, error;
try { host = (await loadConfig({ cwd: process.env.PROBE_CWD, env })).dsn.host; } catch (e) { error = e.message; }
const cosmiconfig = Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/node_modules/cosmiconfig/'));
console.log(JSON.stringify({ host, error, cosmiconfig }));
`;

interface Probe {
  host?: string;
  error?: string;
  cosmiconfig: boolean;
}

function probe(processCwd: string, searchFrom: string, env: Record<string, string> = {}): Probe {
  const out = execFileSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', PROBE], {
    encoding: 'utf8',
    cwd: processCwd,
    env: { PATH: process.env.PATH ?? '', PROBE_CWD: searchFrom, PROBE_ENV: JSON.stringify(env) },
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Probe;
}

describe('config search: the look before cosmiconfig', () => {
  it('knows the places cosmiconfig searches', () => {
    assert.deepEqual([...SEARCH_PLACES].sort(), [...getDefaultSearchPlaces('rdsiam')].sort());
  });

  it('does not import cosmiconfig when no directory up to the project root holds a config (env config)', () => {
    // src/app.js, .config/other-tool.json and a package.json without the rdsiam key.
    const root = fixtureProject('other-tools-only');
    const nested = join(root, 'src');
    const r = probe(root, nested, { RDSIAM_DSN: DSN });
    assert.equal(r.host, RDS_HOST, r.error);
    assert.equal(r.cosmiconfig, false);
  });

  it('still says where it looked when there is nothing at all, without importing cosmiconfig', () => {
    const r = probe(NO_CONFIG_DIR, NO_CONFIG_DIR);
    assert.match(r.error ?? '', /no rdsiam config was found: searched /);
    assert.equal(r.cosmiconfig, false);
  });

  it('finds a config in a parent directory of the working directory, through cosmiconfig', () => {
    // .config/rdsiamrc.yaml at the top.
    const root = fixtureProject('nested');
    assert.deepEqual(probe(root, join(root, 'a', 'b')), { host: RDS_HOST, cosmiconfig: true });
  });

  it('is not stopped early by a name that differs from package.json in case only (the project root test takes exact names)', () => {
    // .rdsiamrc at the top, nested/PACKAGE.JSON below.
    const root = fixtureProject('case-package');
    assert.deepEqual(probe(root, join(root, 'nested')), { host: RDS_HOST, cosmiconfig: true });
  });

  it('reads the rdsiam key of package.json, and only the key counts', () => {
    const withKey = fixtureProject('package-key');
    assert.deepEqual(probe(withKey, withKey), { host: RDS_HOST, cosmiconfig: true });
  });

  it('leaves a package.json that is not valid JSON to cosmiconfig, which reports it', () => {
    // Written at run time: a broken package.json in the repository would trip tools that read every package.json.
    const broken = tempProject({ 'package.json': '{ "name": ' });
    const r = probe(NO_CONFIG_DIR, broken, { RDSIAM_DSN: DSN });
    assert.match(r.error ?? '', /package\.json\): is not valid JSON/);
    assert.equal(r.cosmiconfig, true);
  });

  it("ignores cosmiconfig's meta config in the working directory: it would add search places, or run code", () => {
    // .config/config.json adds the search place settings/{name}.yaml, where settings/rdsiam.yaml is.
    const root = fixtureProject('meta-config');
    const r = probe(root, root);
    assert.match(r.error ?? '', /no rdsiam config was found/);
    assert.equal(r.cosmiconfig, false);

    // A meta config that is code, with a side effect, in the working directory of a run whose config is found.
    const ran = join(tempProject({}), 'ran');
    const cwd = tempProject({
      '.config/config.cjs': `require('node:fs').writeFileSync(${JSON.stringify(ran)}, 'ran');\nmodule.exports = {};\n`,
      '.rdsiamrc.json': JSON.stringify({ dsn: DSN }),
    });
    assert.deepEqual(probe(cwd, cwd), { host: RDS_HOST, cosmiconfig: true });
    assert.equal(existsSync(ran), false, 'the meta config ran');
  });
});
