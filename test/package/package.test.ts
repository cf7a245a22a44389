// The packed package, installed into throwaway applications the way users install it: an ESM app, a CommonJS app,
// TypeScript in the module settings users run, a Lambda handler bundled as AWS CDK bundles it, and the CLI through
// npx; and the same on Bun and Deno (runtimes.ts). Each app connects to the test bed. One pack per run; one app with
// pg only, one with mysql2 only.
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { build, type BuildOptions } from 'esbuild';
import pg from 'pg';
import { installApp, lockedVersion, pack, ROOT, TSC, type App, type Packed } from './apps.js';
import { runtimeSuites } from './runtimes.js';
import { run, runNode } from '../support/run.js';
import { tempDir } from '../support/temp-dir.js';
import { testbedEnv } from '../support/testbed-config.js';
import { tempProject } from '../support/projects.js';
import { bashComplete, checkSyntax } from '../support/shell-completion.js';
import { pgOptions, requireTestbed, type Testbed, type TestCredentials } from '../support/testbed.js';

let packed: Packed;
let pgApp: App;
let mysqlApp: App;
let jestApp: App;
// pg's Cloudflare probe loads Node's fetch (undici) where there is no navigator: Node 20. rdsiam lends it none.
const PG_PROBE_LOADS_FETCH = (globalThis as { navigator?: unknown }).navigator === undefined;
// The unpacked package (dist and schemas); a budget with headroom, so that a stray file or a bundled dependency fails.
const UNPACKED_BUDGET_KB = 1200;

before(
  async () => {
    packed = await pack(tempDir('rdsiam-package-'));
    const [pgVersion, typesPg, mysqlVersion, typesNode] = await Promise.all(
      ['pg', '@types/pg', 'mysql2', '@types/node'].map((name) => lockedVersion(name)),
    );
    [pgApp, mysqlApp, jestApp] = await Promise.all([
      installApp('pg', packed, [pgVersion!, typesPg!, typesNode!]),
      installApp('mysql', packed, [mysqlVersion!, typesNode!]),
      installApp('jest', packed, [pgVersion!, JEST]),
    ]);
    pgApp.write(PG_APP);
    mysqlApp.write(MYSQL_APP);
    jestApp.write(JEST_APP);
  },
  { timeout: 600_000 },
);

// Jest runs test files in its own module system, where an import() needs --experimental-vm-modules: a CommonJS
// project's tests see rdsiam as it loads its driver and the SDK with require.
const JEST = 'jest@30';
const JEST_APP: Record<string, string> = {
  'connect.test.js': `const { connectPg } = require('rdsiam');
test('connects through rdsiam', async () => {
  const client = await connectPg();
  const { rows } = await client.query('SELECT 1 AS one');
  await client.end();
  expect(rows).toEqual([{ one: 1 }]);
});
`,
};

/** The last line a script printed (or the one `back` lines before it), as JSON. */
function lastJson(r: { code: number; out: string; err: string }, back = 0): unknown {
  assert.equal(r.code, 0, r.out + r.err);
  return JSON.parse(
    r.out
      .trim()
      .split('\n')
      .at(-1 - back) ?? 'null',
  );
}

async function assertLoggedIn(tb: Testbed, key: TestCredentials, times = 1): Promise<void> {
  const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
  assert.deepEqual(
    logins.map((l) => l.verdict),
    Array(times).fill('ok'),
  );
}

// Prints whether a driver could be reached and what loading rdsiam touched: no driver, SDK or CA bundle, no
// cosmiconfig, no file outside the package (the same promise test/unit/import-side-effects makes for the origins).
const SIDE_EFFECTS_PROBE = `
const fs = require('node:fs');
const touched = [];
for (const name of ['readFileSync', 'readFile', 'statSync', 'existsSync', 'openSync', 'readdirSync', 'readdir', 'stat']) {
  const original = fs[name];
  fs[name] = function (...args) { touched.push(name + ' ' + String(args[0])); return original.apply(this, args); };
}
const net = require('node:net');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { touched.push('connect'); return connect.apply(this, args); };
const report = (api) => {
  const loaded = Object.keys(require.cache).filter((f) => f.includes('/node_modules/') && !f.includes('/node_modules/rdsiam/dist/cjs/'));
  const outside = touched.filter((t) => !t.includes('/node_modules/rdsiam/'));
  console.log(JSON.stringify({ exports: Object.keys(api).length, loaded, touched: outside }));
};
`;

const PG_APP: Record<string, string> = {
  'esm.mjs': `import { connectPg } from 'rdsiam';
const client = await connectPg();
const { rows } = await client.query('SELECT 1 AS one');
await client.end();
console.log(JSON.stringify(rows));
`,
  'first-connect.mjs': `import { connectPg } from 'rdsiam';
const client = await connectPg();
await client.query('SELECT 1');
await client.end();
const loaded = (m) => process.moduleLoadList.includes('NativeModule ' + m);
console.log(JSON.stringify({ lexer: loaded('internal/deps/cjs-module-lexer/lexer'), undici: loaded('internal/deps/undici/undici') }));
`,
  'cjs.cjs': `const { connectPg } = require('rdsiam');
connectPg().then(async (client) => {
  const { rows } = await client.query('SELECT 1 AS one');
  await client.end();
  console.log(JSON.stringify(rows));
});
`,
  'other-driver.mjs': `import { connectFromConfig, RdsIamError } from 'rdsiam';
await connectFromConfig().then(
  () => console.log(JSON.stringify({ connected: true })),
  (e) => console.log(JSON.stringify({ ours: e instanceof RdsIamError, name: e.name, message: e.message })),
);
`,
  // A config that fails the keys' plain tests: its issues are worded by zod, from the zod file (dist/zod.*).
  'bad-config.mjs': `import { loadConfig, ConfigError } from 'rdsiam';
await loadConfig().catch((e) => console.log(JSON.stringify({ ours: e instanceof ConfigError, message: e.message })));
`,
  'bad-config.cjs': `const { loadConfig, ConfigError } = require('rdsiam');
loadConfig().catch((e) => console.log(JSON.stringify({ ours: e instanceof ConfigError, message: e.message })));
`,
  // Functions of the ES module build's dist/lazy.js (scripts/build.ts, LAZY_MODULES), each throwing one of the classes
  // the core (dist/core.js) holds: two called from the API, and the global-database lookup from the core's token path
  // (this app has no @aws-sdk/client-rds).
  'lazy.mjs': `import { getAuthToken, mikroOrmOptionsFromConfig, withDsqlRetry, ConfigError, RdsIamError } from 'rdsiam';
const major = await mikroOrmOptionsFromConfig({ major: 5 }).catch((e) => e);
const retry = await withDsqlRetry({}, async () => 1, { maxAttempts: 0 }).catch((e) => e);
const global = await getAuthToken({
  env: {},
  overrides: {
    dsn: 'postgres://app@orders.global-abc123xyz.global.rds.amazonaws.com/app',
    plugins: ['iam'],
    iam_global_region: 'eu-central-1',
  },
}).catch((e) => e);
console.log(JSON.stringify({
  major: [major instanceof ConfigError, major.message],
  retry: [retry instanceof RdsIamError, retry.message],
  global: [global instanceof RdsIamError, global.message],
}));
`,
  'probe-esm.mjs': `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
${SIDE_EFFECTS_PROBE}
report(await import('rdsiam'));
`,
  'probe-cjs.cjs': `${SIDE_EFFECTS_PROBE}
report(require('rdsiam'));
`,
  'handler.ts': `// A Lambda handler as a pg user writes it.
import { connectFromConfig, RdsIamError } from 'rdsiam';
import type { Client } from 'pg';

export const handler = async (): Promise<unknown> => {
  try {
    const client = (await connectFromConfig()) as Client;
    try {
      return (await client.query('SELECT 1 AS one')).rows;
    } finally {
      await client.end();
    }
  } catch (err) {
    return { ours: err instanceof RdsIamError, message: (err as Error).message };
  }
};
`,
};

const MYSQL_APP: Record<string, string> = {
  'esm.mjs': `import { connectMysql } from 'rdsiam';
const conn = await connectMysql();
const [rows] = await conn.query('SELECT 1 AS one');
await conn.end();
console.log(JSON.stringify(rows));
`,
  'cjs.cjs': `const { createMysqlPool } = require('rdsiam');
createMysqlPool().then(async (pool) => {
  const [rows] = await pool.query('SELECT 1 AS one');
  await pool.end();
  console.log(JSON.stringify(rows));
});
`,
  'other-driver.mjs': PG_APP['other-driver.mjs']!,
  'load-config.mjs': `import { loadConfig } from 'rdsiam';
await loadConfig().then(
  (c) => console.log(JSON.stringify({ host: c.dsn.host })),
  (e) => console.log(JSON.stringify({ error: e.message })),
);
`,
  'ts-config-project/package.json': '{ "name": "ts-config-project", "type": "module" }\n',
  'ts-config-project/rdsiam.config.ts': `const plugins: string[] = ['iam'];
export default { dsn: 'mysql://app@orders.c9akciq32xyz.us-east-2.rds.amazonaws.com/app', plugins };
`,
};

// Type-checked, not run: the pg app's and the mysql2 app's use of the typed API.
const PG_TS = `import { connectPg, createPgPool, pgPoolOptionsFromConfig, defineConfig, RdsIamError } from 'rdsiam';
import type { QueryResult } from 'pg';

export const config = defineConfig({ dsn: 'postgres://app@db.cluster-abc123.us-east-1.rds.amazonaws.com/app', plugins: ['iam'] });
// @ts-expect-error: the config is typed (zod's input type), not any
export const misspelt = defineConfig({ dns: 'postgres://app@db.cluster-abc123.us-east-1.rds.amazonaws.com/app' });

export async function main(): Promise<number> {
  const client = await connectPg();
  const result: QueryResult<{ one: number }> = await client.query<{ one: number }>('SELECT 1 AS one');
  // @ts-expect-error: a pg.Client, not any
  client.noSuchMethod();
  const pool = await createPgPool();
  const options = await pgPoolOptionsFromConfig();
  const max: number | undefined = options.max;
  await Promise.all([client.end(), pool.end()]);
  return (result.rows[0]?.one ?? 0) + (max ?? 0);
}

export const isOurs = (e: unknown): boolean => e instanceof RdsIamError;
`;

const MYSQL_TS = `import { connectMysql, createMysqlPool, mysqlPoolOptionsFromConfig, defineConfig } from 'rdsiam';
import type { RowDataPacket } from 'mysql2/promise';

export const config = defineConfig({ dsn: 'mysql://app@db.cluster-abc123.us-east-1.rds.amazonaws.com/app', plugins: 'iam' });

export async function main(): Promise<number> {
  const conn = await connectMysql();
  const [rows] = await conn.query<RowDataPacket[]>('SELECT 1 AS one');
  // @ts-expect-error: a mysql2 Connection, not any
  conn.noSuchMethod();
  const pool = await createMysqlPool();
  const options = await mysqlPoolOptionsFromConfig();
  const limit: number | undefined = options.connectionLimit;
  await Promise.all([conn.end(), pool.end()]);
  return Number(rows[0]?.one ?? 0) + (limit ?? 0);
}
`;

describe('the packed package', () => {
  test('holds the built package and nothing else', () => {
    const files = new Set(packed.files);
    for (const f of [
      'dist/index.js',
      'dist/core.js',
      'dist/lazy.js',
      'dist/cjs/index.js',
      'dist/cjs/package.json',
      'dist/cosmiconfig.cjs',
      'dist/packages.cjs',
      'dist/zod.js',
      'dist/zod.cjs',
      'dist/cli/rdsiam.cjs',
      'dist/cli/main.cjs',
      'dist/cli/commands.cjs',
      'dist/otel.js',
      'dist/cjs/otel.js',
      'dist/types/otel.d.ts',
      'dist/cjs/types/otel.d.ts',
    ]) {
      assert.ok(files.has(f), f);
    }
    for (const f of [
      'dist/types/index.d.ts',
      'dist/cjs/types/index.d.ts',
      'dist/types/drivers/driver-types.d.ts',
      'schemas/rdsiam.schema.json',
    ]) {
      assert.ok(files.has(f), f);
    }
    assert.deepEqual(
      packed.files.filter((f) => /^(src|test|scripts|examples)\//.test(f) || f.endsWith('.map')),
      [],
    );
  });

  test('carries its LICENSE and the license of every package its build bundled', async () => {
    for (const f of ['LICENSE', 'dist/THIRD_PARTY_LICENSES.md', 'dist/bundled.cdx.json']) {
      assert.ok(packed.files.includes(f), f);
    }
    assert.ok(!packed.files.includes('dist/metafile.json'), 'the build metafile stays out');
    const installed = join(pgApp.dir, 'node_modules/rdsiam/');
    const notices = await readFile(`${installed}dist/THIRD_PARTY_LICENSES.md`, 'utf8');
    const bom = JSON.parse(await readFile(`${installed}dist/bundled.cdx.json`, 'utf8')) as {
      components: Array<{ 'bom-ref': string }>;
    };
    // What esbuild read for every output, from the metafile the build leaves in this repository's dist/: each
    // file under node_modules/ belongs to the package named right after the last node_modules/.
    const { inputs } = JSON.parse(await readFile(join(ROOT, 'dist/metafile.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const ids = new Set<string>();
    for (const input of Object.keys(inputs)) {
      const at = input.lastIndexOf('node_modules/');
      if (at < 0) continue;
      const [scope = '', name = ''] = input.slice(at + 'node_modules/'.length).split('/');
      const dir =
        input.slice(0, at) + (scope.startsWith('@') ? `node_modules/${scope}/${name}` : `node_modules/${scope}`);
      const json = JSON.parse(await readFile(join(ROOT, dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      ids.add(`${json.name}@${json.version}`);
    }
    assert.ok(
      ids.has(`zod@${JSON.parse(await readFile(join(ROOT, 'node_modules/zod/package.json'), 'utf8')).version}`),
    );
    const headed = [...notices.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(headed.sort(), [...ids].sort());
    assert.deepEqual(bom.components.map((c) => c['bom-ref']).sort(), [...ids].sort());

    for (const name of ['zod', 'cosmiconfig']) {
      const id = [...ids].find((i) => i.startsWith(`${name}@`))!;
      const start = notices.indexOf(`\n## ${id}\n`);
      const end = notices.indexOf('\n## ', start + 1);
      const section = notices.slice(start, end < 0 ? undefined : end);
      const text = await readFile(join(ROOT, 'node_modules', name, 'LICENSE'), 'utf8');
      assert.ok(section.includes(text.trimEnd()), `${id}: its LICENSE text`);
    }
    for (const bundle of [
      'dist/index.js',
      'dist/core.js',
      'dist/lazy.js',
      'dist/cjs/index.js',
      'dist/cli/rdsiam.cjs',
      'dist/cli/main.cjs',
      'dist/cli/commands.cjs',
      'dist/cosmiconfig.cjs',
    ]) {
      const head = (await readFile(`${installed}${bundle}`, 'utf8')).split('\n', 3).join('\n');
      assert.match(head, /\/\*! rdsiam, MIT License\..*dist\/THIRD_PARTY_LICENSES\.md \*\//, bundle);
    }
  });

  test('the pg app has no mysql2 and the mysql2 app has neither pg nor its types', async () => {
    const resolvable = (app: App, pkg: string) =>
      app
        .node(['-e', `try { require.resolve(${JSON.stringify(pkg)}); console.log(true) } catch { console.log(false) }`])
        .then(lastJson);
    assert.equal(await resolvable(pgApp, 'mysql2'), false);
    assert.equal(await resolvable(pgApp, 'pg'), true);
    assert.equal(await resolvable(mysqlApp, 'pg'), false);
    assert.equal(await resolvable(mysqlApp, '@types/pg/package.json'), false);
    assert.equal(await resolvable(mysqlApp, 'mysql2'), true);
  });

  test("the JSON Schema is rdsiam/schema.json, for require and for import with { type: 'json' }", async () => {
    const shipped = JSON.parse(await readFile(join(ROOT, 'schemas/rdsiam.schema.json'), 'utf8')) as unknown;
    const required = lastJson(await pgApp.node(['-e', "console.log(JSON.stringify(require('rdsiam/schema.json')))"]));
    assert.deepEqual(required, shipped);
    const imported = lastJson(
      await pgApp.node([
        '--input-type=module',
        '-e',
        "import s from 'rdsiam/schema.json' with { type: 'json' }; console.log(JSON.stringify(s))",
      ]),
    );
    assert.deepEqual(imported, shipped);
  });

  test('rdsiam/otel is its own export, for require and import, and needs @opentelemetry/api (an optional peer)', async () => {
    // The pg app does not install the peer: the export resolves, and loading it names the missing package.
    for (const args of [
      ['-e', "require('rdsiam/otel')"],
      ['--input-type=module', '-e', "await import('rdsiam/otel')"],
    ]) {
      const r = await pgApp.node(args);
      assert.notEqual(r.code, 0);
      assert.match(r.err, /Cannot find (package|module) '@opentelemetry\/api'/);
    }
    const main = lastJson(await pgApp.node(['-e', "console.log(JSON.stringify(Object.keys(require('rdsiam'))))"]));
    assert.ok(Array.isArray(main) && !main.includes('registerOpenTelemetry'), 'rdsiam itself does not load it');
  });

  test('imported on a Node without process.getBuiltinModule (before 20.16 and 22.3), it says which Node it needs', async () => {
    const probe =
      "delete process.getBuiltinModule; await import('rdsiam').then(() => console.log('null'), (e) => console.log(JSON.stringify(e.message)));";
    const message = lastJson(await pgApp.node(['--input-type=module', '-e', probe]));
    assert.match(String(message), /^rdsiam needs Node\.js 20\.16, 22\.3 or later; this is v\d+\./);
  });

  test('importing it (ESM) or requiring it (CommonJS) loads no driver, SDK, CA bundle or cosmiconfig, and reads no file', async () => {
    for (const probe of ['probe-esm.mjs', 'probe-cjs.cjs']) {
      const r = lastJson(await pgApp.node([probe])) as { exports: number; loaded: string[]; touched: string[] };
      assert.ok(r.exports > 20, `${probe}: the API is there`);
      assert.deepEqual(r.loaded, [], `${probe}: modules loaded besides rdsiam's own`);
      assert.deepEqual(r.touched, [], `${probe}: files or sockets touched`);
    }
  });
});

// What a bad value gets, from the ES module and the CommonJS build: zod's functions are a file of their own.
const BAD_PORT = { RDSIAM_DSN: 'postgres://app@db.example.com/app', RDSIAM_IAM_DEFAULT_PORT: '0' };
const BAD_PORT_MESSAGE =
  /^Invalid rdsiam config:\n {2}- iam_default_port \(from RDSIAM_IAM_DEFAULT_PORT\): must be a whole number from 1 to 65535, got 0$/;

describe('a config with a bad value, through the installed package', () => {
  for (const script of ['bad-config.mjs', 'bad-config.cjs']) {
    test(`${script.endsWith('.cjs') ? 'CommonJS' : 'ESM'}: a ConfigError that says which value is wrong and where`, async () => {
      const r = lastJson(await pgApp.node([script], BAD_PORT)) as { ours: boolean; message: string };
      assert.equal(r.ours, true);
      assert.match(r.message, BAD_PORT_MESSAGE);
    });
  }
});

describe('the option builders, withDsqlRetry and the global-database lookup, through the installed package', () => {
  test("ESM: loaded on first call (dist/lazy.js), their errors are the core's classes", async () => {
    // Keys of AWS's documentation examples: the lookup stops at loading its SDK client, before any call.
    const keys = {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
    const r = lastJson(await pgApp.node(['lazy.mjs'], keys)) as Record<string, [boolean, string]>;
    assert.deepEqual(r.major, [true, r.major![1]]);
    assert.match(r.major![1], /- major \(from options passed in code\): must be 6 or 7 \(the MikroORM major\), got 5$/);
    assert.deepEqual(r.retry, [true, 'withDsqlRetry: maxAttempts must be a whole number from 1, got 0.']);
    assert.deepEqual(r.global, [true, r.global![1]]);
    assert.match(r.global![1], /needs the "@aws-sdk\/client-rds" package .*npm install @aws-sdk\/client-rds/);
  });
});

describe('applications connect through the installed package', () => {
  // What a cold start skips: Node's CommonJS lexer (packages are taken with require, not import()). Node's fetch is
  // loaded by pg's own Cloudflare probe where there is no navigator (Node 20), as for hand-wired code, and only there.
  test("pg app, ESM: a first connect loads no CommonJS lexer, and Node's fetch only where pg's probe needs it", async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    assert.deepEqual(lastJson(await pgApp.node(['first-connect.mjs'], testbedEnv(tb, 'postgres', await tb.newKey()))), {
      lexer: false,
      undici: PG_PROBE_LOADS_FETCH,
    });
  });

  for (const [engine, script] of [
    ['postgres', 'esm.mjs'],
    ['postgres', 'cjs.cjs'],
    ['mysql', 'esm.mjs'],
    ['mysql', 'cjs.cjs'],
  ] as const) {
    test(`${engine === 'mysql' ? 'mysql2' : 'pg'} app, ${script.endsWith('.cjs') ? "CommonJS: require('rdsiam')" : "ESM: import from 'rdsiam'"}`, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const key = await tb.newKey();
      const app = engine === 'mysql' ? mysqlApp : pgApp;
      assert.deepEqual(lastJson(await app.node([script], testbedEnv(tb, engine, key))), [{ one: 1 }]);
      await assertLoggedIn(tb, key);
    });
  }

  test('CommonJS under Jest, as a CommonJS project tests its code (no --experimental-vm-modules)', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const jest = join(jestApp.dir, 'node_modules/jest/bin/jest.js');
    const r = await jestApp.node(
      [jest, '--ci', '--cacheDirectory=.jest-cache', 'connect.test.js'],
      testbedEnv(tb, 'postgres', key),
    );
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.err, /Tests: +1 passed, 1 total/);
    await assertLoggedIn(tb, key);
  });

  test('a DSN for the driver that is not installed is an RdsIamError that says what to install', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const noMysql = lastJson(await pgApp.node(['other-driver.mjs'], testbedEnv(tb, 'mysql', key)));
    assert.deepEqual(noMysql, {
      ours: true,
      name: 'RdsIamError',
      message: (noMysql as { message: string }).message,
    });
    assert.match(
      (noMysql as { message: string }).message,
      /^rdsiam needs the "mysql2" package for this DSN: run `npm install mysql2`\./,
    );
    const noPg = lastJson(await mysqlApp.node(['other-driver.mjs'], testbedEnv(tb, 'postgres', key))) as {
      message: string;
    };
    assert.match(noPg.message, /^rdsiam needs the "pg" package for this DSN: run `npm install pg`\./);
  });
});

describe('TypeScript type-checks the installed package (skipLibCheck off)', { concurrency: true }, () => {
  const SETUPS = [
    { type: 'commonjs', module: 'node16', moduleResolution: 'node16' },
    { type: 'module', module: 'node16', moduleResolution: 'node16' },
    { type: 'module', module: 'esnext', moduleResolution: 'bundler' },
  ] as const;
  for (const [label, app] of [
    ['pg app without mysql2', () => pgApp],
    ['mysql2 app without pg or @types/pg', () => mysqlApp],
  ] as const) {
    for (const [tsVersion, tsc] of Object.entries(TSC)) {
      test(`TypeScript ${tsVersion}, ${label}: node16 in a CommonJS package, node16 in an ESM package, bundler`, async () => {
        const dirs: string[] = [];
        for (const s of SETUPS) {
          // Each compiler its own projects: tsc -b writes build info next to them.
          const dir = `ts${tsVersion}-${s.moduleResolution}-${s.type}`;
          const compilerOptions = {
            module: s.module,
            moduleResolution: s.moduleResolution,
            target: 'es2022',
            lib: ['es2022'],
            types: ['node'],
            strict: true,
            skipLibCheck: false,
            noEmit: true,
          };
          app().write({
            [`${dir}/package.json`]: `${JSON.stringify({ type: s.type })}\n`,
            [`${dir}/tsconfig.json`]: `${JSON.stringify({ compilerOptions, include: ['*.ts'] }, null, 2)}\n`,
            [`${dir}/app.ts`]: app() === pgApp ? PG_TS : MYSQL_TS,
          });
          dirs.push(dir);
        }
        // One build of the three projects: they share the parsed declaration files (about 3x faster than three runs).
        const r = await run(process.execPath, [tsc, '-b', ...dirs], { cwd: app().dir });
        assert.equal(r.code, 0, r.out + r.err);
      });
    }
  }
});

describe('a pg-only Lambda handler bundled as AWS CDK NodejsFunction bundles it', () => {
  // CDK's defaults for a Node 20 function: CommonJS, platform node, target node20, the AWS SDK external, nothing else.
  const CDK: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*'],
  };
  // CDK's documented ESM setup: ESM main fields first, and `require` for the CommonJS packages in the bundle (pg).
  // The banner also declares what other common banners do: the bundle must not declare any of these names itself.
  const CDK_ESM: BuildOptions = {
    ...CDK,
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: {
      js:
        "import { createRequire } from 'module'; import { fileURLToPath } from 'url'; import { dirname } from 'path'; " +
        'const require = createRequire(import.meta.url); const __filename = fileURLToPath(import.meta.url); ' +
        'const __dirname = dirname(__filename);',
    },
  };

  /** Bundles the handler, and lays it out as Lambda runs it: the bundle alone, with the runtime's AWS SDK. */
  async function bundle(options: BuildOptions, file: string): Promise<{ dir: string; warnings: string[] }> {
    const dir = tempDir('rdsiam-lambda-');
    const result = await build({
      ...options,
      entryPoints: [join(pgApp.dir, 'handler.ts')],
      outfile: join(dir, file),
      logLevel: 'silent',
    });
    await mkdir(join(dir, 'node_modules'));
    await symlink(join(pgApp.dir, 'node_modules/@aws-sdk'), join(dir, 'node_modules/@aws-sdk'));
    return { dir, warnings: result.warnings.map((w) => w.text) };
  }

  // Invoked from an ES module, as the Lambda runtime does: no global `require` (which `node -e` would provide). Prints
  // the handler's result, then whether the process loaded Node's fetch (undici), which pg's own probe would load.
  const invoke = (dir: string, file: string, env: Record<string, string>) =>
    runNode(
      [
        '--input-type=module',
        '-e',
        (file.endsWith('.mjs')
          ? `const { handler } = await import('./${file}');`
          : `import { createRequire } from 'node:module'; const { handler } = createRequire(import.meta.url)('./${file}');`) +
          ' console.log(JSON.stringify(await handler()));' +
          " console.log(JSON.stringify({ undici: process.moduleLoadList.includes('NativeModule internal/deps/undici/undici') }));",
      ],
      env,
      { cwd: dir },
    );
  const result = (r: { code: number; out: string; err: string }) => lastJson(r, 1);

  for (const [format, options, file] of [
    ['CommonJS', CDK, 'index.js'],
    ['ESM', CDK_ESM, 'index.mjs'],
  ] as const) {
    test(`${format}: builds without a warning, connects, and names mysql2 when given a mysql DSN`, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const { dir, warnings } = await bundle(options, file);
      assert.deepEqual(warnings, []);
      const key = await tb.newKey();
      const node = (env: Record<string, string>) => invoke(dir, file, env);
      const connected = await node(testbedEnv(tb, 'postgres', key));
      assert.deepEqual(result(connected), [{ one: 1 }]);
      assert.deepEqual(lastJson(connected), { undici: PG_PROBE_LOADS_FETCH });
      await assertLoggedIn(tb, key);
      const missing = result(await node(testbedEnv(tb, 'mysql', key))) as { ours: boolean; message: string };
      assert.equal(missing.ours, true);
      assert.match(missing.message, /^rdsiam needs the "mysql2" package for this DSN: run `npm install mysql2`\./);
      // The bundler followed rdsiam's load of its zod file: a bad value is worded as from the package.
      const bad = result(await node({ ...testbedEnv(tb, 'postgres', key), ...BAD_PORT })) as { message: string };
      assert.match(bad.message, BAD_PORT_MESSAGE);
    });
  }

  test('ESM without the require banner: pg (CommonJS) cannot load in the bundle, and the error says so', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const { banner: _, ...withoutBanner } = CDK_ESM;
    const { dir } = await bundle(withoutBanner, 'index.mjs');
    const r = result(await invoke(dir, 'index.mjs', testbedEnv(tb, 'postgres', await tb.newKey()))) as {
      ours: boolean;
      message: string;
    };
    assert.equal(r.ours, true);
    assert.match(r.message, /^rdsiam could not load the "pg" package: Dynamic require of "\w+" is not supported$/);
  });
});

describe('the rdsiam executable, installed', () => {
  const npx = (args: string[], env: Record<string, string> = {}) =>
    run('npx', ['--no', '--', 'rdsiam', ...args], {
      cwd: pgApp.dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/nonexistent', ...env },
    });

  test('npx rdsiam --help', async () => {
    const r = await npx(['--help']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^rdsiam: AWS IAM database authentication/);
    assert.match(r.out, /^ {2}token /m);
  });

  test('npx rdsiam --version, a typo, and the bash completion calling back the installed rdsiam', async () => {
    const version = await npx(['--version']);
    const { version: expected } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.deepEqual([version.code, version.out], [0, `${expected}\n`], version.err);
    const typo = await npx(['tokn']);
    assert.equal(typo.code, 2);
    assert.match(typo.err, /unknown command "tokn"; did you mean "token"\?/);
    const script = await npx(['completion', 'bash']);
    assert.equal(script.code, 0, script.err);
    assert.equal((await checkSyntax('bash', script.out)).code, 0);
    const project = tempProject({ '.rdsiamrc.yaml': 'connections: { reader: {}, writer: {} }\n' });
    const at = { bin: join(pgApp.dir, 'node_modules/.bin'), cwd: project };
    assert.deepEqual(await bashComplete(script.out, ['rdsiam', 'ch'], at), ['check']);
    assert.deepEqual(await bashComplete(script.out, ['rdsiam', 'exec', '--connection', ''], at), ['reader', 'writer']);
  });

  test('the commands in commands.cjs run on the modules of main.cjs: a config error is one, exit code 2', async () => {
    const dsn = 'postgres://app@db.cluster-abc123.us-east-1.rds.amazonaws.com/app';
    const policy = await npx(['policy', '--no-lookup'], { RDSIAM_DSN: dsn, RDSIAM_PLUGINS: 'iam' });
    assert.equal(policy.code, 0, policy.err);
    assert.equal(
      (JSON.parse(policy.out) as { Statement: Array<{ Resource: string }> }).Statement[0]?.Resource,
      'arn:aws:rds-db:us-east-1:<account>:dbuser:<resource-id>/app',
    );
    // main.cjs maps its own ConfigError class to exit code 2: a second copy of the config code in commands.cjs
    // would throw another class, and exit 1.
    const check = await npx(['check'], { RDSIAM_DSN: dsn, RDSIAM_PLUGINS: 'bogus' });
    assert.equal(check.code, 2, check.err);
    assert.match(
      check.err,
      /^Invalid rdsiam config:\n {2}- plugins \(from RDSIAM_PLUGINS\): has unknown plugin code "bogus"/,
    );
    // A value that fails its key's plain test: worded by zod, from dist/zod.cjs.
    const badPort = await npx(['check'], BAD_PORT);
    assert.equal(badPort.code, 2, badPort.err);
    assert.match(badPort.err.trimEnd(), BAD_PORT_MESSAGE);
  });

  test('npx rdsiam schema prints the shipped JSON Schema', async () => {
    const r = await npx(['schema']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), JSON.parse(await readFile(join(ROOT, 'schemas/rdsiam.schema.json'), 'utf8')));
  });

  test('npx rdsiam token prints a token that logs in', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const r = await npx(['token'], testbedEnv(tb, 'postgres', key));
    assert.equal(r.code, 0, r.err);
    const token = r.out.trim();
    assert.match(token, /X-Amz-Signature=/);
    const client = new pg.Client(pgOptions(tb.caPem, tb.postgres, tb.postgres.iamUser, token));
    await client.connect();
    await client.end();
    await assertLoggedIn(tb, key);
  });
});

describe('a rdsiam.config.ts in an app without TypeScript', () => {
  // Node 22.18 and later strip types by default; the flag turns that off to reach the case of older Nodes.
  const noStripping = process.allowedNodeEnvironmentFlags.has('--experimental-strip-types')
    ? ['--no-experimental-strip-types']
    : [];
  // process.features.typescript: Node 22.10 and later.
  const strips = Boolean((process.features as { typescript?: unknown }).typescript);
  const load = (env: Record<string, string> = {}, flags = noStripping) =>
    mysqlApp.node([...flags, join(mysqlApp.dir, 'load-config.mjs')], env, 'ts-config-project').then(lastJson);

  test('is an error naming the fix when this Node cannot load TypeScript', async () => {
    const r = (await load()) as { error?: string };
    assert.match(
      r.error ?? '',
      /rdsiam\.config\.ts\): is TypeScript, which this Node cannot load by itself: use Node 22\.18 or later \(it strips types\), run under tsx, install TypeScript 5 \(npm install --save-dev typescript@5\)/,
    );
  });

  test('with only TypeScript 7 (no compiler API) installed: an error naming the fix, or loaded where Node strips types', async () => {
    // `typescript` resolving to 7, as after `npm install typescript` today.
    const modules = tempDir('rdsiam-typescript7-');
    await symlink(join(ROOT, 'node_modules/typescript7'), join(modules, 'typescript'));
    const r = (await load({ NODE_PATH: modules })) as { error?: string };
    assert.match(
      r.error ?? '',
      /rdsiam\.config\.ts\): is TypeScript, which this Node cannot load by itself, and the typescript package installed has no compiler API \(TypeScript 7 has none\): use Node 22\.18 or later/,
    );
    if (strips) {
      assert.deepEqual(await load({ NODE_PATH: modules }, []), {
        host: 'orders.c9akciq32xyz.us-east-2.rds.amazonaws.com',
      });
    }
  });

  test('loads with the typescript package installed (cosmiconfig compiles it)', async () => {
    assert.deepEqual(await load({ NODE_PATH: join(ROOT, 'node_modules') }), {
      host: 'orders.c9akciq32xyz.us-east-2.rds.amazonaws.com',
    });
  });

  test('loads by itself on a Node that strips types', {
    skip: !strips && 'this Node does not strip types',
  }, async () => {
    assert.deepEqual(await load({}, []), { host: 'orders.c9akciq32xyz.us-east-2.rds.amazonaws.com' });
  });
});

runtimeSuites(() => packed);

test('the package stays small', (t) => {
  t.diagnostic(`packed ${(packed.size / 1024).toFixed(0)} kB, unpacked ${(packed.unpackedSize / 1024).toFixed(0)} kB`);
  assert.ok(packed.unpackedSize < UNPACKED_BUDGET_KB * 1024, `unpacked size within ${UNPACKED_BUDGET_KB} kB`);
});
