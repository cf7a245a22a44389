// Bun and Deno, where many new TypeScript services start: the packed package installed into an app (pg, mysql2 and
// postgres.js), run on each runtime's official binary from its npm package (support/node-binary.mjs). Each runs the
// ESM app on pg and on mysql2 against the test bed, postgres.js, the CLI as that runtime's users call it, and a config
// file in each format. A runtime whose binary cannot be installed here is skipped loudly (in CI: a failure).
// Registered by package.test.ts, to share its one `npm pack` (a second, in another test process, would rebuild
// dist/ while the first packs it).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import pg from 'pg';
import { installApp, lockedVersion, type App, type Packed } from './apps.js';
import { RUNTIMES, runtimeBinary } from '../support/node-binary.mjs';
import { run, type Result } from '../support/run.js';
import { tempDir } from '../support/temp-dir.js';
import { testbedEnv } from '../support/testbed-config.js';
import { pgOptions, requireTestbed, type Testbed, type TestCredentials } from '../support/testbed.js';

type Runtime = keyof typeof RUNTIMES;

let app: App;

const DSN = 'mysql://app@orders.c9akciq32xyz.us-east-2.rds.amazonaws.com/app';
const APP: Record<string, string> = {
  'pg.mjs': `import { connectPg } from 'rdsiam';
const client = await connectPg();
const { rows } = await client.query('SELECT 1 AS one');
await client.end();
console.log(JSON.stringify(rows));
`,
  'mysql2.mjs': `import { connectMysql } from 'rdsiam';
const conn = await connectMysql();
const [rows] = await conn.query('SELECT 1 AS one');
await conn.end();
console.log(JSON.stringify(rows));
`,
  'postgres-js.mjs': `import postgres from 'postgres';
import { postgresOptionsFromConfig } from 'rdsiam';
const sql = postgres(await postgresOptionsFromConfig());
const rows = await sql\`SELECT 1 AS one\`;
await sql.end();
console.log(JSON.stringify([...rows]));
`,
  // Two connections at once: each gets its token from the password function.
  'bun-sql.mjs': `import { SQL } from 'bun';
import { bunSqlOptionsFromConfig } from 'rdsiam';
try {
  const sql = new SQL(await bunSqlOptionsFromConfig());
  const rows = await Promise.all([sql\`SELECT 1 AS one, pg_sleep(0.2)\`, sql\`SELECT 1 AS one, pg_sleep(0.2)\`]);
  await sql.close();
  console.log(JSON.stringify(rows.map(([row]) => ({ one: row.one }))));
} catch (e) {
  console.log(JSON.stringify({ name: e.name, message: e.message }));
}
`,
  'load-config.mjs': `import { loadConfig } from 'rdsiam';
await loadConfig().then(
  (c) => console.log(JSON.stringify({ host: c.dsn.host })),
  (e) => console.log(JSON.stringify({ error: e.message })),
);
`,
};

/** One project per config format, each the only config in its directory. */
const CONFIGS: Record<string, Record<string, string>> = {
  '.rdsiamrc.yaml': { '.rdsiamrc.yaml': `dsn: ${DSN}\n` },
  '.rdsiamrc.json': { '.rdsiamrc.json': `${JSON.stringify({ dsn: DSN })}\n` },
  'package.json "rdsiam"': {
    'package.json': `${JSON.stringify({ name: 'p', type: 'module', rdsiam: { dsn: DSN } })}\n`,
  },
  'rdsiam.config.mjs': { 'rdsiam.config.mjs': `export default { dsn: '${DSN}' };\n` },
  'rdsiam.config.js': { 'rdsiam.config.js': `export default { dsn: '${DSN}' };\n` },
  'rdsiam.config.cjs': { 'rdsiam.config.cjs': `module.exports = { dsn: '${DSN}' };\n` },
  'rdsiam.config.ts': {
    'rdsiam.config.ts': `const plugins: string[] = ['iam'];\nexport default { dsn: '${DSN}', plugins };\n`,
  },
};

/** Runs this runtime's `bun file` / `deno run -A file` in the app with only `env`, PATH, no HOME and its own cache. */
function runner(binary: string, runtime: Runtime) {
  const cache = tempDir(`rdsiam-${runtime}-cache-`);
  const base = {
    PATH: process.env.PATH ?? '',
    HOME: '/nonexistent',
    ...(runtime === 'deno'
      ? { DENO_DIR: cache, DENO_NO_UPDATE_CHECK: '1' }
      : { BUN_INSTALL_CACHE_DIR: cache, DO_NOT_TRACK: '1' }),
  };
  const exec = (args: string[], env: Record<string, string>, cwd = app.dir): Promise<Result> =>
    run(binary, args, { cwd, env: { ...base, ...env } });
  return {
    script: (file: string, env: Record<string, string> = {}, cwd?: string) =>
      exec(runtime === 'deno' ? ['run', '-A', join(app.dir, file)] : [join(app.dir, file)], env, cwd),
    // As each runtime's users call an installed package's command: `bunx` (here `bun x --bun`, on Bun itself
    // rather than the Node its shebang names), `deno run -A npm:rdsiam` (the app's node_modules, no download).
    cli: (args: string[], env: Record<string, string> = {}) =>
      exec(runtime === 'deno' ? ['run', '-A', 'npm:rdsiam', ...args] : ['x', '--bun', 'rdsiam', ...args], env),
  };
}

/** The last line a run printed, as JSON. */
function lastJson(r: Result): unknown {
  assert.equal(r.code, 0, r.out + r.err);
  return JSON.parse(r.out.trim().split('\n').at(-1) ?? 'null');
}

async function assertLoggedIn(tb: Testbed, key: TestCredentials): Promise<void> {
  const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
  assert.deepEqual(
    logins.map((l) => l.verdict),
    ['ok'],
  );
}

/** The Bun and Deno suites, on an app installed from the tarball `packed()` gives once the file's `before` has run. */
export function runtimeSuites(packed: () => Packed): void {
  describe('Bun and Deno run the installed package', () => {
    before(
      async () => {
        const drivers = await Promise.all(['pg', 'mysql2', 'postgres'].map((name) => lockedVersion(name)));
        app = await installApp('runtimes', packed(), drivers);
        app.write(APP);
      },
      { timeout: 600_000 },
    );
    for (const runtime of Object.keys(RUNTIMES) as Runtime[]) {
      const { name, range } = RUNTIMES[runtime];
      describe(`${runtime} ${range} (${name})`, () => {
        let binary: string | undefined;
        let missing = '';
        before(() => {
          try {
            binary = runtimeBinary(runtime);
          } catch (error) {
            missing = `*** SKIPPED: ${runtime} ${range} cannot be installed here: ${(error as Error).message} ***`;
            if (/^(1|true)$/i.test(process.env.CI ?? '')) throw new Error(missing);
          }
        });
        /** This runtime's runner, or undefined after skipping the test loudly. */
        const on = (t: { skip(message?: string): void }) => {
          if (binary === undefined) t.skip(missing);
          return binary === undefined ? undefined : runner(binary, runtime);
        };

        for (const [engine, file] of [
          ['postgres', 'pg.mjs'],
          ['mysql', 'mysql2.mjs'],
          ['postgres', 'postgres-js.mjs'],
        ] as const) {
          test(`${file.replace('.mjs', '')}: the ESM app connects with an IAM token`, async (t) => {
            const r = on(t);
            const tb = r && (await requireTestbed(t));
            if (!r || !tb) return;
            const key = await tb.newKey();
            assert.deepEqual(lastJson(await r.script(file, testbedEnv(tb, engine, key))), [{ one: 1 }]);
            await assertLoggedIn(tb, key);
          });
        }

        test('the CLI prints a token that logs in', async (t) => {
          const r = on(t);
          const tb = r && (await requireTestbed(t));
          if (!r || !tb) return;
          const key = await tb.newKey();
          const token = await r.cli(['token'], testbedEnv(tb, 'postgres', key));
          assert.equal(token.code, 0, token.err);
          assert.match(token.out, /X-Amz-Signature=/);
          const client = new pg.Client(pgOptions(tb.caPem, tb.postgres, tb.postgres.iamUser, token.out.trim()));
          await client.connect();
          await client.end();
          await assertLoggedIn(tb, key);
        });

        if (runtime === 'bun') {
          test('Bun.SQL with bunSqlOptionsFromConfig(): a token per new connection, verified TLS; MySQL refused', async (t) => {
            const r = on(t);
            const tb = r && (await requireTestbed(t));
            if (!r || !tb) return;
            const key = await tb.newKey();
            const rows = lastJson(
              await r.script('bun-sql.mjs', testbedEnv(tb, 'postgres', key, { RDSIAM_POOL__MAX: '2' })),
            );
            assert.deepEqual(rows, [{ one: 1 }, { one: 1 }]);
            const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
            assert.deepEqual(
              logins.map((l) => l.verdict),
              ['ok', 'ok'],
            );
            const mysql = lastJson(await r.script('bun-sql.mjs', testbedEnv(tb, 'mysql', key))) as { message: string };
            assert.match(mysql.message, /Bun\.SQL on MySQL has no mysql_clear_password plugin.*use mysql2/);
          });
        }

        test('loads a config file in each format', async (t) => {
          const r = on(t);
          if (!r) return;
          for (const [format, files] of Object.entries(CONFIGS)) {
            const dir = `config-${runtime}-${format.replace(/\W+/g, '-')}`;
            app.write({ [`${dir}/package.json`]: '{ "name": "p", "type": "module" }\n' });
            app.write(Object.fromEntries(Object.entries(files).map(([file, text]) => [`${dir}/${file}`, text])));
            const loaded = lastJson(await r.script('load-config.mjs', {}, join(app.dir, dir)));
            assert.deepEqual(loaded, { host: 'orders.c9akciq32xyz.us-east-2.rds.amazonaws.com' }, format);
          }
        });
      });
    }
  });
}
