import { access, appendFile, chmod, chown, copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isOurs, readPid, terminate } from './processes.js';
import { runCommand, type OsUser } from './run-command.js';
import type { TlsFiles } from './tls.js';

export interface ClusterPaths {
  root: string;
  data: string;
  socketDir: string;
  log: string;
}

/** The newest installed PostgreSQL's bin dir (Debian keeps them out of PATH, by version). */
export async function postgresBinDir(): Promise<string> {
  const base = '/usr/lib/postgresql';
  const versions = (await readdir(base).catch(() => [] as string[])).filter((v) => /^\d+$/.test(v));
  for (const v of versions.sort((a, b) => Number(b) - Number(a))) {
    const bin = join(base, v, 'bin');
    if (
      await access(join(bin, 'postgres')).then(
        () => true,
        () => false,
      )
    )
      return bin;
  }
  throw new Error(`no PostgreSQL server under ${base}/<version>/bin: install the postgresql package`);
}

/**
 * A fresh PostgreSQL cluster on 127.0.0.1:`port` with TLS, run as the postgres OS user.
 * `hba` replaces pg_hba.conf; `setupSql` runs as the superuser over the unix socket.
 */
export async function startCluster(options: {
  paths: ClusterPaths;
  port: number;
  tls: TlsFiles;
  owner: OsUser;
  hba: string;
  setupSql: readonly string[];
}): Promise<void> {
  const { paths, port, tls, owner } = options;
  const bin = await postgresBinDir();
  await rm(paths.root, { recursive: true, force: true });
  for (const dir of [paths.root, paths.data, paths.socketDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chown(dir, owner.uid, owner.gid);
  }
  await writeFile(paths.log, '');
  await chown(paths.log, owner.uid, owner.gid);

  await runCommand(
    join(bin, 'initdb'),
    ['-D', paths.data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
    {
      as: owner,
    },
  );
  for (const [from, name] of [
    [tls.cert, 'server.pem'],
    [tls.key, 'server.key'],
  ] as const) {
    const to = join(paths.data, name);
    await copyFile(from, to);
    await chown(to, owner.uid, owner.gid);
    await chmod(to, 0o600);
  }
  // Appended settings win over initdb's. Durability is irrelevant here; start-up speed is not.
  await appendFile(
    join(paths.data, 'postgresql.conf'),
    [
      '',
      '# rdsiam test bed',
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${paths.socketDir}'`,
      'max_connections = 600',
      'shared_buffers = 32MB',
      'ssl = on',
      `ssl_cert_file = 'server.pem'`,
      `ssl_key_file = 'server.key'`,
      `password_encryption = 'scram-sha-256'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      '',
    ].join('\n'),
  );
  await writeFile(join(paths.data, 'pg_hba.conf'), options.hba);
  await runCommand(join(bin, 'pg_ctl'), ['start', '-w', '-t', '30', '-D', paths.data, '-l', paths.log], {
    as: owner,
  }).catch((error: unknown) => {
    throw new Error(`PostgreSQL in ${paths.data} did not start; see ${paths.log}\n${String(error)}`, { cause: error });
  });

  const { default: pg } = await import('pg');
  const client = new pg.Client({ host: paths.socketDir, port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    for (const sql of options.setupSql) await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Restarts the cluster (fast shutdown: sessions are cut, new logins refused until it is up again). */
export async function restartCluster(paths: ClusterPaths, owner: OsUser): Promise<void> {
  const bin = await postgresBinDir();
  await runCommand(
    join(bin, 'pg_ctl'),
    ['restart', '-m', 'fast', '-w', '-t', '30', '-D', paths.data, '-l', paths.log],
    {
      as: owner,
    },
  );
}

/** Stops the cluster if it runs (fast shutdown, then signals). */
export async function stopCluster(paths: ClusterPaths, owner: OsUser | undefined): Promise<void> {
  const pid = await readPid(join(paths.data, 'postmaster.pid'));
  if (pid !== undefined && (await isOurs(pid, paths.data))) {
    const bin = await postgresBinDir().catch(() => undefined);
    if (bin && owner)
      await runCommand(join(bin, 'pg_ctl'), ['stop', '-m', 'fast', '-w', '-D', paths.data], { as: owner }).catch(
        () => {},
      );
    await terminate(pid);
  }
}
