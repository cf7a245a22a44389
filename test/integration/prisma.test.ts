// prismaDatasourceUrl against the test bed. Prisma's schema engine is a native binary that its npm package downloads
// from Prisma's servers at install time, which this machine cannot reach, so the URL is checked with psql instead:
// the engine's parameters carried over to libpq's (sslcert is Prisma's CA file, sslaccept=strict checks chain and
// name as libpq's verify-full does), then the login checked by the test bed's verifier.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { prismaDatasourceUrl } from '../../src/index.js';
import { countingCredentials } from '../support/credentials.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';
import { testbedOptions } from '../support/testbed-config.js';
import { tempDir } from '../support/temp-dir.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** psql with the URL's parts, decoded as Prisma decodes them, and only these PG* variables. */
function psqlWith(url: URL, sql: string): Promise<Run> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  const env = {
    ...inherited,
    PGHOST: url.hostname,
    PGPORT: url.port,
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password),
    PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
    PGSSLMODE: 'verify-full',
    PGSSLROOTCERT: url.searchParams.get('sslcert')!,
    PGCONNECT_TIMEOUT: '10',
  };
  return new Promise((resolve) => {
    execFile('psql', ['-tAc', sql], { env }, (e, out, err) => resolve({ code: e ? Number(e.code ?? 1) : 0, out, err }));
  });
}

async function verdicts(tb: Testbed, accessKeyId: string): Promise<string[]> {
  return (await tb.verifier.logins({ accessKeyId })).map((l) => l.verdict);
}

describe('prismaDatasourceUrl against the test bed', () => {
  test('psql signs in as the IAM user with the URL, over TLS checked against the CA file it names', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const options = testbedOptions(tb, 'postgres', countingCredentials(key).provider, {
      // Prisma checks the name it dials; the test bed's certificate names 127.0.0.1 as well as the endpoint.
      ssl: { ca: tb.caPem, servername: '127.0.0.1' },
    });
    const url = new URL(await prismaDatasourceUrl({ ...options, env: { XDG_CACHE_HOME: tempDir('rdsiam-prisma-') } }));
    assert.equal(url.searchParams.get('sslmode'), 'require');
    assert.equal(url.searchParams.get('sslaccept'), 'strict');
    assert.equal(await readFile(url.searchParams.get('sslcert')!, 'utf8'), tb.caPem);

    const r = await psqlWith(url, 'select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), `${tb.postgres.iamUser}|t`);
    assert.deepEqual(await verdicts(tb, key.accessKeyId), ['ok']);
  });

  test('with the RDS CA bundle, which did not sign the test bed, the TLS check stops psql before the token', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey();
    const options = testbedOptions(tb, 'postgres', countingCredentials(key).provider, {
      ssl: { servername: '127.0.0.1' },
    });
    const url = new URL(await prismaDatasourceUrl({ ...options, env: { XDG_CACHE_HOME: tempDir('rdsiam-prisma-') } }));
    const r = await psqlWith(url, 'select 1');
    assert.notEqual(r.code, 0, 'psql connected');
    assert.match(r.err, /certificate verify failed/);
    assert.deepEqual(await verdicts(tb, key.accessKeyId), [], 'the token was never sent');
  });
});
