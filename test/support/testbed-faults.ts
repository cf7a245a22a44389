import { dirname } from 'node:path';
import pg from 'pg';
import { layout } from '../testbed/layout.js';
import { mysqlRoot, restartMariadb } from '../testbed/mariadb.js';
import { restartCluster } from '../testbed/postgres.js';
import { osUser } from '../testbed/run-command.js';
import type { Testbed } from './testbed.js';

// Faults on the test bed's own servers. They hit every test using that server, so only a test that has the test bed
// to itself may call them (the soak, which test/run.mjs runs after the others).

export type RdsServer = 'postgres' | 'mysql';

/** The work dir of this test bed instance: the one its state file is in. */
const pathsOf = (tb: Testbed) => layout({ TESTBED_DIR: dirname(tb.stateFile) });

/** Restarts a server: sessions are cut, and new logins fail until it answers again (resolves then). */
export async function restartServer(tb: Testbed, server: RdsServer): Promise<void> {
  const paths = pathsOf(tb);
  if (server === 'postgres') await restartCluster(paths.postgres, await osUser('postgres'));
  else await restartMariadb(paths.mysql, tb.mysql.port);
}

/** Kills every session of `user` from the server side (pg_terminate_backend, KILL); resolves to how many. */
export async function killSessions(tb: Testbed, server: RdsServer, user: string): Promise<number> {
  const paths = pathsOf(tb);
  if (server === 'postgres') {
    const admin = new pg.Client({ host: paths.postgres.socketDir, port: tb.postgres.port, user: 'postgres' });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE usename = $1',
        [user],
      );
      return rows.filter((r: { killed: boolean }) => r.killed).length;
    } finally {
      await admin.end();
    }
  }
  const ids = (await mysqlRoot(paths.mysql, `SELECT id FROM information_schema.processlist WHERE user = '${user}';`))
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()));
  // A session may end between the listing and its KILL: that one is already gone.
  for (const id of ids) await mysqlRoot(paths.mysql, `KILL ${id};`).catch(() => undefined);
  return ids.length;
}
