import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { testbedCodeHash } from './code-hash.js';
import { checkHealth } from './health.js';
import { randomCredentials } from './keys.js';
import { DATABASE, ENDPOINTS, REGION, USERS, type Layout } from './layout.js';
import { startMariadb } from './mariadb.js';
import { buildPamModule, writePamServices } from './pam-module.js';
import { freePort } from './ports.js';
import { startCluster } from './postgres.js';
import { ensureRequirements } from './requirements.js';
import { osUser } from './run-command.js';
import { readState, writeState, type TestbedState } from './state.js';
import { stop } from './stop.js';
import { ensureCertificates } from './tls.js';
import type { ServiceRule } from './verifier/config.js';
import { launchVerifier } from './verifier-process.js';

const LOCAL = '127.0.0.1';

/**
 * Starts everything unless it is already up and healthy; returns the state file's path. First installs what the
 * machine lacks, when allowed (see requirements.ts); throws TestbedNotReadyError when it lacks it and may not.
 */
export async function start(paths: Layout, say: (line: string) => void): Promise<string> {
  await ensureRequirements(say);
  if (process.getuid?.() !== 0)
    throw new Error(
      'the test bed must be started as root (it runs servers as the postgres and mysql users and writes /etc/pam.d)',
    );
  const healthy = await readState(paths.stateFile)
    .then(checkHealth)
    .then(
      () => true,
      () => false,
    );
  if (healthy) {
    say('already running and healthy');
    return paths.stateFile;
  }
  await stop(paths, say); // whatever half-started or stale thing is left
  const began = performance.now();
  try {
    await prepareDirs(paths);
    await startAll(paths, say);
  } catch (error) {
    say(`start failed; logs are in ${paths.logs}; cleaning up`);
    await stop(paths, say).catch((e: unknown) => say(`clean-up also failed: ${String(e)}`));
    throw error;
  }
  say(`up in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  return paths.stateFile;
}

async function prepareDirs(paths: Layout): Promise<void> {
  // The servers run as other OS users, so every directory above the work dir must be traversable.
  for (let dir = dirname(paths.dir); ; dir = dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0)
      throw new Error(
        `${dir} is not traversable by other users (mode ${(mode & 0o777).toString(8)}); set TESTBED_DIR to a directory under a traversable path, e.g. /tmp/rdsiam-testbed`,
      );
    if (dir === dirname(dir)) break;
  }
  // 0711: others may pass through to their own files but not list ours (the state file holds secrets).
  await mkdir(paths.dir, { recursive: true, mode: 0o711 });
  // The default work dir has a predictable name in the shared temp dir: use it only if it is ours.
  const made = await lstat(paths.dir);
  if (!made.isDirectory() || made.uid !== process.getuid?.()) {
    throw new Error(
      `${paths.dir} is not a directory of this user's; remove it, or set TESTBED_DIR to another directory`,
    );
  }
  await chmod(paths.dir, 0o711);
  await mkdir(paths.run, { recursive: true, mode: 0o711 });
  await mkdir(paths.logs, { recursive: true, mode: 0o755 });
}

async function startAll(paths: Layout, say: (line: string) => void): Promise<void> {
  say('preparing TLS files, the PAM module and ports');
  const hostnames = [ENDPOINTS.postgres, ENDPOINTS.postgresReader, ENDPOINTS.mysql, ENDPOINTS.dsql];
  const [tls, pamModule, pgOwner, mysqlOwner] = await Promise.all([
    ensureCertificates(paths.tls, hostnames),
    buildPamModule(paths.pamBuild),
    osUser('postgres'),
    osUser('mysql'),
  ]);
  const pgPort = await freePort(15432);
  const dsqlPort = await freePort(pgPort + 1, [pgPort]);
  const mysqlPort = await freePort(13306, [pgPort, dsqlPort]);
  const credentials = [randomCredentials('long-term'), randomCredentials('temporary')];
  const pgPassword = randomBytes(18).toString('hex');
  const mysqlPassword = randomBytes(18).toString('hex');
  const svc = paths.pamServices;

  const rds = (port: number, ...names: string[]): ServiceRule => ({
    kind: 'rds',
    region: REGION,
    hosts: [...names, LOCAL, 'localhost'].map((h) => `${h}:${port}`.toLowerCase()),
  });
  const services: Record<string, ServiceRule> = {
    [svc.postgres]: rds(pgPort, ENDPOINTS.postgres, ENDPOINTS.postgresReader, ENDPOINTS.postgresGlobal),
    [svc.mysql]: rds(mysqlPort, ENDPOINTS.mysql),
    [svc.dsql]: { kind: 'dsql', region: REGION, hosts: [ENDPOINTS.dsql, LOCAL, 'localhost'] },
  };
  await writePamServices(Object.values(svc), pamModule, paths.verifier.pamSocket);
  say('starting the verifier');
  await launchVerifier(paths, {
    pamSocket: paths.verifier.pamSocket,
    controlSocket: paths.verifier.controlSocket,
    services,
    keys: credentials,
  });

  say(`starting PostgreSQL (${pgPort}), DSQL stand-in (${dsqlPort}) and MariaDB (${mysqlPort})`);
  await Promise.all([
    startCluster({
      paths: paths.postgres,
      port: pgPort,
      tls,
      owner: pgOwner,
      // As on RDS: members of rds_iam log in with a token over TLS only; others with a password.
      hba: [
        'local all postgres trust',
        `hostnossl all +rds_iam ${LOCAL}/32 reject`,
        `hostssl all +rds_iam ${LOCAL}/32 pam pamservice=${svc.postgres}`,
        `host all all ${LOCAL}/32 scram-sha-256`,
        '',
      ].join('\n'),
      setupSql: [
        'CREATE ROLE rds_iam NOLOGIN',
        `CREATE ROLE ${USERS.pgIam} LOGIN IN ROLE rds_iam`,
        `CREATE ROLE ${USERS.pgIamReader} LOGIN IN ROLE rds_iam`,
        `CREATE ROLE ${USERS.pgPassword} LOGIN PASSWORD '${pgPassword}'`,
        `CREATE DATABASE ${DATABASE} OWNER ${USERS.pgIam}`,
      ],
    }),
    startCluster({
      paths: paths.dsql,
      port: dsqlPort,
      tls,
      owner: pgOwner,
      // As on DSQL: every login is a token over TLS; the superuser only has the local socket.
      hba: [
        'local all postgres trust',
        `hostnossl all all ${LOCAL}/32 reject`,
        `hostssl all postgres ${LOCAL}/32 reject`,
        `hostssl all all ${LOCAL}/32 pam pamservice=${svc.dsql}`,
        '',
      ].join('\n'),
      setupSql: [
        `CREATE ROLE ${USERS.dsqlAdmin} LOGIN CREATEROLE CREATEDB`,
        `CREATE ROLE ${USERS.dsqlRole} LOGIN`,
        `ALTER SCHEMA public OWNER TO ${USERS.dsqlAdmin}`,
        `GRANT USAGE ON SCHEMA public TO ${USERS.dsqlRole}`,
      ],
    }),
    startMariadb({
      paths: paths.mysql,
      port: mysqlPort,
      tls,
      owner: mysqlOwner,
      setupSql: [
        `CREATE DATABASE ${DATABASE};`,
        `CREATE USER '${USERS.mysqlIam}'@'%' IDENTIFIED VIA pam USING '${svc.mysql}' REQUIRE SSL;`,
        `GRANT ALL PRIVILEGES ON ${DATABASE}.* TO '${USERS.mysqlIam}'@'%';`,
        `CREATE USER '${USERS.mysqlPassword}'@'%' IDENTIFIED BY '${mysqlPassword}' REQUIRE SSL;`,
        `GRANT ALL PRIVILEGES ON ${DATABASE}.* TO '${USERS.mysqlPassword}'@'%';`,
      ].join('\n'),
    }),
  ]);

  const state: TestbedState = {
    version: 1,
    startedAt: new Date().toISOString(),
    codeHash: await testbedCodeHash(),
    ca: tls.ca,
    postgres: {
      host: LOCAL,
      port: pgPort,
      endpoint: ENDPOINTS.postgres,
      readerEndpoint: ENDPOINTS.postgresReader,
      globalEndpoint: ENDPOINTS.postgresGlobal,
      region: REGION,
      iamUser: USERS.pgIam,
      readerUser: USERS.pgIamReader,
      database: DATABASE,
      passwordUser: USERS.pgPassword,
      password: pgPassword,
      pamService: svc.postgres,
    },
    mysql: {
      host: LOCAL,
      port: mysqlPort,
      endpoint: ENDPOINTS.mysql,
      region: REGION,
      iamUser: USERS.mysqlIam,
      database: DATABASE,
      passwordUser: USERS.mysqlPassword,
      password: mysqlPassword,
      pamService: svc.mysql,
    },
    dsql: {
      host: LOCAL,
      port: dsqlPort,
      endpoint: ENDPOINTS.dsql,
      region: REGION,
      adminUser: USERS.dsqlAdmin,
      roleUser: USERS.dsqlRole,
      database: 'postgres',
      pamService: svc.dsql,
    },
    credentials,
    verifier: {
      controlSocket: paths.verifier.controlSocket,
      pamSocket: paths.verifier.pamSocket,
      pidFile: paths.verifier.pidFile,
      log: paths.verifier.log,
    },
  };
  await writeState(paths.stateFile, state);
  say('checking an IAM login on each server');
  await checkHealth(state);
}
