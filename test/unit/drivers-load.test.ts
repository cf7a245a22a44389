// Loading a driver on first use: what a missing or broken package is reported as, and that a failure is not kept.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RdsIamError } from '../../src/errors.js';
import { lazyPackage, missingPackage } from '../../src/optional-package.js';
import { runNode } from '../support/run.js';
import { tempProject } from '../support/projects.js';

const PACKAGES_CJS = fileURLToPath(new URL('../../src/packages.cjs', import.meta.url));

/** Runs `script` (CommonJS) in a fresh Node process from `cwd`, with `PACKAGES` naming packages.cjs; its JSON line. */
async function freshProcess(script: string, cwd: string, packages = PACKAGES_CJS): Promise<Record<string, unknown>> {
  const r = await runNode(['-e', script], { PACKAGES: packages }, { cwd });
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out.trim().split('\n').pop()!) as Record<string, unknown>;
}

function notFound(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('lazyPackage (the drivers)', () => {
  it('says which package to install when it is not there (import() and require() codes)', async () => {
    for (const err of [
      notFound('ERR_MODULE_NOT_FOUND', "Cannot find package 'mysql2' imported from /app/index.js"),
      notFound('MODULE_NOT_FOUND', "Cannot find module 'mysql2/promise'"),
    ]) {
      const load = lazyPackage(
        () => undefined,
        () => Promise.reject(err).catch(missingPackage('mysql2', 'for this DSN')),
      );
      await assert.rejects(load(), (e: unknown) => {
        assert.ok(e instanceof RdsIamError);
        assert.match(
          e.message,
          /^rdsiam needs the "mysql2" package for this DSN: run `npm install mysql2`\. \(Cannot find /,
        );
        return true;
      });
    }
  });

  it('does not tell to install a package that is there but would not load', async () => {
    const load = lazyPackage(
      () => undefined,
      () =>
        Promise.reject(new Error('Dynamic require of "events" is not supported')).catch(
          missingPackage('pg', 'for this DSN'),
        ),
    );
    await assert.rejects(
      load(),
      /^RdsIamError: rdsiam could not load the "pg" package: Dynamic require of "events" is not supported$/,
    );
  });

  it('hands over CommonJS exports given as default, loads once, and tries again after a failure', async () => {
    let calls = 0;
    const exports = { Client: class {} };
    const load = lazyPackage(
      () => undefined,
      async () => {
        calls += 1;
        if (calls === 1) throw new RdsIamError('not yet');
        return { default: exports };
      },
    );
    await assert.rejects(load(), /not yet/);
    assert.equal(await load(), exports);
    assert.equal(await load(), exports);
    assert.equal(calls, 2);
  });

  it('takes the package from require when it can, and imports it only when require gives nothing', async () => {
    const exports = { Client: class {} };
    let imports = 0;
    const importer = async () => {
      imports += 1;
      return { default: exports };
    };
    assert.equal(await lazyPackage(() => exports, importer)(), exports);
    assert.equal(imports, 0);
    assert.equal(await lazyPackage(() => undefined, importer)(), exports);
    assert.equal(imports, 1);
  });
});

describe('packages.cjs (the require side)', () => {
  it('hands over what require gives, the same module an import of the package is built on', async () => {
    const packages = (await import('../../src/packages.cjs')).default;
    assert.equal(packages.pg(), (await import('pg')).default);
    const providers = packages.credentialProviders() as typeof import('@aws-sdk/credential-providers');
    assert.equal(providers.fromEnv, (await import('@aws-sdk/credential-providers')).fromEnv);
    const cosmiconfig = packages.cosmiconfig() as typeof import('cosmiconfig');
    assert.equal(cosmiconfig.cosmiconfig, (await import('cosmiconfig')).cosmiconfig);
  });

  it('declares what it holds, and each entry loads its package (a misspelled one would fall back to import() unseen)', async () => {
    const packages = (await import('../../src/packages.cjs')).default;
    // Every name packages.d.cts declares, no more (the compiler checks this object against the declaration).
    const declared: Record<keyof typeof packages, true> = {
      pg: true,
      mysql2: true,
      mysql2Promise: true,
      rdsSigner: true,
      dsqlSigner: true,
      credentialProviders: true,
      clientRds: true,
      clientSts: true,
      clientIam: true,
      sslProfiles: true,
      cosmiconfig: true,
    };
    assert.deepEqual(Object.keys(packages).sort(), Object.keys(declared).sort());
    // This repository installs every one of them (the optional ones as dev dependencies).
    for (const [name, load] of Object.entries(packages)) assert.notEqual(load(), undefined, name);
  });

  it('loads pg and leaves navigator as it was', async () => {
    const seen = await freshProcess(
      `const before = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
       const pg = require(process.env.PACKAGES).pg();
       const after = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
       console.log(JSON.stringify({
         client: typeof pg.Client,
         navigatorKept: before === after || (before !== undefined && after !== undefined && before.value === after.value && before.get === after.get),
       }));`,
      fileURLToPath(new URL('../../', import.meta.url)),
    );
    assert.deepEqual(seen, { client: 'function', navigatorKept: true });
  });

  it("lends pg no navigator: pg sees the host's globals as they are, and a failing pg is undefined", async () => {
    // A pg that records what it saw of navigator, then fails to load.
    const app = tempProject(
      {
        'node_modules/pg/package.json': JSON.stringify({ name: 'pg', main: 'index.js' }),
        'node_modules/pg/index.js':
          "globalThis.seenByPg = typeof navigator === 'object' ? navigator.userAgent : typeof navigator;\n" +
          "throw new Error('broken pg');\n",
      },
      { name: 'app', type: 'commonjs' },
    );
    copyFileSync(PACKAGES_CJS, join(app, 'packages.cjs'));
    const seen = await freshProcess(
      `const had = typeof navigator !== 'undefined';
       const pg = require(process.env.PACKAGES).pg();
       console.log(JSON.stringify({ pg: pg === undefined ? 'undefined' : typeof pg, seenByPg: globalThis.seenByPg, had, has: typeof navigator !== 'undefined' }));`,
      app,
      join(app, 'packages.cjs'),
    );
    const major = process.versions.node.split('.')[0]!;
    // Node 21 and later have a navigator of their own; Node 20 has none, and pg must not get one from rdsiam.
    const had = Number(major) >= 21;
    assert.deepEqual(seen, { pg: 'undefined', seenByPg: had ? `Node.js/${major}` : 'undefined', had, has: had });
  });
});
