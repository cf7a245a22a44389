// Bun.SQL through `rdsiam proxy`, on Bun's official binary from its npm package (support/node-binary.mjs): on
// PostgreSQL, and on MySQL, where Bun.SQL has no mysql_clear_password plugin to send a token itself.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { RUNTIMES, runtimeBinary } from '../support/node-binary.mjs';
import { run } from '../support/run.js';
import { tempDir } from '../support/temp-dir.js';
import { testbedEnv } from '../support/testbed-config.js';
import { requireTestbed } from '../support/testbed.js';
import { startProxy } from './proxy-support.js';

// Two queries at once, so Bun.SQL opens two connections (two upstream sign-ins), and the user each runs as.
const SCRIPT = `import { SQL } from 'bun';
const sql = new SQL(process.env.URL);
try {
  const rows = await Promise.all([1, 2].map((n) => sql\`select \${n} as n, current_user as who\`));
  console.log(JSON.stringify(rows.map(([row]) => ({ n: Number(row.n), who: row.who }))));
} catch (e) {
  console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message }));
} finally {
  await sql.close();
}
`;

const { range } = RUNTIMES.bun;

describe(`Bun.SQL (Bun ${range}) through rdsiam proxy`, () => {
  let bun: string | undefined;
  let missing = '';
  const dir = tempDir('rdsiam-proxy-bun-');
  before(async () => {
    await writeFile(join(dir, 'query.mjs'), SCRIPT);
    try {
      bun = runtimeBinary('bun');
    } catch (error) {
      missing = `*** SKIPPED: Bun ${range} cannot be installed here: ${(error as Error).message} ***`;
      if (/^(1|true)$/i.test(process.env.CI ?? '')) throw new Error(missing);
    }
  });

  for (const engine of ['postgres', 'mysql'] as const) {
    test(`${engine}: two connections sign in through the proxy, with and without a local password`, async (t) => {
      if (bun === undefined) return t.skip(missing);
      const tb = await requireTestbed(t);
      if (!tb) return;
      const s = tb[engine];
      const key = await tb.newKey();
      const query = (port: number, password = '') =>
        run(bun!, [join(dir, 'query.mjs')], {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: '/nonexistent',
            DO_NOT_TRACK: '1',
            URL: `${engine}://${s.iamUser}${password && `:${password}`}@127.0.0.1:${port}/${s.database}`,
          },
        });
      const who = engine === 'postgres' ? s.iamUser : `${s.iamUser}@%`;
      const expected = JSON.stringify([
        { n: 1, who },
        { n: 2, who },
      ]);

      const open = await startProxy(['--listen', '127.0.0.1:0'], testbedEnv(tb, engine, key));
      t.after(() => open.stop());
      const r = await query(open.port);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out.trim(), expected);

      const pw = join(dir, `pw-${engine}`);
      await writeFile(pw, 'local-Secret-1\n', { mode: 0o600 });
      const guarded = await startProxy(['--listen', '127.0.0.1:0', '--password-file', pw], testbedEnv(tb, engine, key));
      t.after(() => guarded.stop());
      const right = await query(guarded.port, 'local-Secret-1');
      assert.equal(right.out.trim(), expected, right.err);
      const wrong = JSON.parse((await query(guarded.port, 'nope')).out.trim()) as { message: string };
      assert.match(wrong.message, /password authentication failed|Access denied/);

      const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
      assert.ok(logins.length >= 4, `four connections signed in upstream, not ${logins.length}`);
      assert.ok(logins.every((l) => l.verdict === 'ok'));
    });
  }
});
