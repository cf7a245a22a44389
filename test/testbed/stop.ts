import { readdir, readFile, rm } from 'node:fs/promises';
import type { Layout } from './layout.js';
import { stopMariadb } from './mariadb.js';
import { removePamServices } from './pam-module.js';
import { stopCluster } from './postgres.js';
import { terminate } from './processes.js';
import { osUser } from './run-command.js';
import { stopVerifier } from './verifier-process.js';

/** Stops servers and verifier, then removes PAM files, data and runtime files. Safe to run at any time. */
export async function stop(paths: Layout, say: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the test bed must be stopped as root');
  const problems: string[] = [];
  const step = (name: string, work: () => Promise<unknown>) =>
    work().catch((error: unknown) =>
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`),
    );

  const pgOwner = await osUser('postgres').catch(() => undefined);
  await Promise.all([
    step('PostgreSQL', () => stopCluster(paths.postgres, pgOwner)),
    step('DSQL stand-in', () => stopCluster(paths.dsql, pgOwner)),
    step('MariaDB', () => stopMariadb(paths.mysql)),
  ]);
  await step('verifier', () => stopVerifier(paths));
  await step('leftover processes', () => stopLeftovers(paths.dir, say));
  await step('PAM services', () => removePamServices(Object.values(paths.pamServices)));
  // Only now that nothing runs: logs, TLS and the PAM build stay (for post-mortems and as caches).
  const gone = [
    paths.stateFile,
    paths.verifier.config,
    paths.run,
    paths.postgres.root,
    paths.dsql.root,
    paths.mysql.root,
  ];
  await step('runtime files', () => Promise.all(gone.map((p) => rm(p, { recursive: true, force: true }))));
  if (problems.length > 0) throw new Error(`stopping the test bed left problems:\n  ${problems.join('\n  ')}`);
  say('stopped');
}

/**
 * Servers or a verifier whose pid files were lost still name our work dir on their command line;
 * nothing else does, so that is how they are found.
 */
async function stopLeftovers(dir: string, say: (line: string) => void): Promise<void> {
  const marker = `${dir}/`;
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p)).map(Number);
  for (const pid of pids) {
    if (pid === process.pid || pid === process.ppid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(marker)) continue;
    say(`stopping leftover process ${pid}: ${cmdline.split('\0').join(' ').slice(0, 120)}`);
    await terminate(pid);
  }
}
