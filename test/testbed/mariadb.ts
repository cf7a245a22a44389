import { spawn } from 'node:child_process';
import { access, chmod, chown, copyFile, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Layout } from './layout.js';
import { isOurs, readPid, terminate, waitFor } from './processes.js';
import { runCommand, type OsUser } from './run-command.js';
import type { TlsFiles } from './tls.js';

export const MARIADBD = '/usr/sbin/mariadbd';
type MysqlPaths = Layout['mysql'];

/** Runs SQL as root@localhost over the unix socket (unix_socket auth: we are root). */
export function mysqlRoot(paths: MysqlPaths, sql: string): Promise<string> {
  return runCommand(
    'mariadb',
    ['--no-defaults', `--socket=${paths.socket}`, '-uroot', '--batch', '--skip-column-names'],
    { input: sql },
  );
}

/**
 * A fresh MariaDB on 127.0.0.1:`port` with TLS required and the PAM plugin in cleartext mode.
 * It uses auth_pam_v1 (PAM inside mariadbd, as the mysql user): v2 needs the setuid helper
 * auth_pam_tool_dir/auth_pam_tool, which is absent on some images, and our module needs no root.
 */
export async function startMariadb(options: {
  paths: MysqlPaths;
  port: number;
  tls: TlsFiles;
  owner: OsUser;
  setupSql: string;
}): Promise<void> {
  const { paths, port, tls, owner } = options;
  await access(MARIADBD).catch(() => {
    throw new Error(`${MARIADBD} not found: install the mariadb-server package`);
  });
  await rm(paths.root, { recursive: true, force: true });
  for (const dir of [paths.root, paths.data]) {
    await mkdir(dir, { recursive: true, mode: 0o750 });
    await chown(dir, owner.uid, owner.gid);
  }
  for (const [from, name] of [
    [tls.ca, 'ca.pem'],
    [tls.cert, 'server.pem'],
    [tls.key, 'server.key'],
  ] as const) {
    const to = join(paths.root, name);
    await copyFile(from, to);
    await chown(to, owner.uid, owner.gid);
    await chmod(to, 0o600);
  }
  await writeFile(paths.log, '');
  await chown(paths.log, owner.uid, owner.gid);
  // --defaults-file keeps the machine's own MariaDB config (/etc/mysql) out of our instance.
  await writeFile(
    paths.config,
    [
      '[mysqld]',
      `user = ${owner.name}`,
      `datadir = ${paths.data}`,
      `socket = ${paths.socket}`,
      `pid-file = ${paths.pidFile}`,
      `log-error = ${paths.log}`,
      `port = ${port}`,
      'bind-address = 127.0.0.1',
      'skip-name-resolve',
      'plugin-load-add = auth_pam_v1.so',
      'pam-use-cleartext-plugin = ON',
      `ssl-ca = ${join(paths.root, 'ca.pem')}`,
      `ssl-cert = ${join(paths.root, 'server.pem')}`,
      `ssl-key = ${join(paths.root, 'server.key')}`,
      'require-secure-transport = ON',
      'max-connections = 600',
      'innodb-buffer-pool-size = 32M',
      'innodb-log-file-size = 8M',
      'innodb-flush-log-at-trx-commit = 0',
      'performance-schema = OFF',
      'skip-log-bin',
      '',
    ].join('\n'),
  );
  await runCommand('mariadb-install-db', [
    `--defaults-file=${paths.config}`,
    '--skip-test-db',
    '--auth-root-authentication-method=socket',
  ]);

  await launchMariadbd(paths, port);
  await mysqlRoot(paths, options.setupSql);
}

export async function stopMariadb(paths: MysqlPaths): Promise<void> {
  const pid = await readPid(paths.pidFile);
  if (pid !== undefined && (await isOurs(pid, paths.config))) await terminate(pid, 20_000);
}

/** Starts mariadbd on the instance's config and waits until it answers. */
async function launchMariadbd(paths: MysqlPaths, port: number): Promise<void> {
  const log = await open(paths.log, 'a');
  const child = spawn(MARIADBD, [`--defaults-file=${paths.config}`], {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    cwd: '/',
  });
  child.unref();
  await log.close();
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(
    `MariaDB on port ${port} (see ${paths.log})`,
    async () => (await mysqlRoot(paths, 'SELECT 1')).trim() === '1',
    30_000,
    () => (exited ? 'mariadbd exited during start-up' : undefined),
  );
}

/** Stops MariaDB (as on a shutdown: in-flight sessions are cut) and starts it again on the same data and port. */
export async function restartMariadb(paths: MysqlPaths, port: number): Promise<void> {
  await stopMariadb(paths);
  await launchMariadbd(paths, port);
}
