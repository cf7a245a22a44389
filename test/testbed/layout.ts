import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fixed facts of the test bed: names a test can rely on. Ports and secrets are chosen at start. */
export const REGION = 'us-east-1';
export const ENDPOINTS = {
  postgres: 'testbed.cluster-abc123example.us-east-1.rds.amazonaws.com',
  postgresReader: 'testbed.cluster-ro-abc123example.us-east-1.rds.amazonaws.com',
  // An Aurora global database writer endpoint routing to the PostgreSQL server. It names no region: a token for it
  // is signed for the writer's region, which a test can move per key (KeyPolicy.region).
  postgresGlobal: 'testbed.global-abc123example.global.rds.amazonaws.com',
  mysql: 'testbed-mysql.cluster-abc123example.us-east-1.rds.amazonaws.com',
  dsql: 'abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws',
} as const;
export const USERS = {
  pgIam: 'iam_app',
  pgIamReader: 'iam_reader',
  pgPassword: 'plain_app',
  mysqlIam: 'iam_app',
  mysqlPassword: 'plain_app',
  dsqlAdmin: 'admin',
  dsqlRole: 'app_role',
} as const;
export const DATABASE = 'rdsiam_test';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The default work dir of the clone at `root` (a path ending in a slash): under the system temp dir, keyed by the
 * clone's path. The servers run as the postgres and mysql users, who must reach it, and a clone may sit where they
 * cannot (a home directory, a `mktemp -d`).
 */
export function defaultWorkDir(root: string): string {
  return join(tmpdir(), `rdsiam-testbed-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`);
}
const defaultDir = defaultWorkDir(repoRoot);

/** Every path the test bed uses, derived from one work dir (`TESTBED_DIR`, else one per clone in the temp dir). */
export function layout(env: NodeJS.ProcessEnv = process.env) {
  const configured = env.TESTBED_DIR;
  const dir = configured ? (isAbsolute(configured) ? configured : resolve(configured)) : defaultDir;
  // PAM service names are global (/etc/pam.d), so two work dirs must not share them.
  const tag = createHash('sha256').update(dir).digest('hex').slice(0, 8);
  const run = join(dir, 'run');
  return {
    repoRoot,
    dir,
    stateFile: join(dir, 'state.json'),
    logs: join(dir, 'logs'),
    tls: join(dir, 'tls'),
    pamBuild: join(dir, 'pam'),
    run,
    verifier: {
      config: join(dir, 'verifier.json'),
      pidFile: join(run, 'verifier.pid'),
      pamSocket: join(run, 'verifier.sock'),
      controlSocket: join(run, 'control.sock'),
      log: join(dir, 'logs', 'verifier.log'),
    },
    postgres: cluster(dir, 'postgres'),
    dsql: cluster(dir, 'dsql'),
    mysql: {
      root: join(dir, 'mysql'),
      data: join(dir, 'mysql', 'data'),
      config: join(dir, 'mysql', 'my.cnf'),
      socket: join(dir, 'mysql', 'mysqld.sock'),
      pidFile: join(dir, 'mysql', 'mysqld.pid'),
      log: join(dir, 'logs', 'mysql.log'),
    },
    pamServices: {
      postgres: `rdsiam-testbed-${tag}-pg`,
      mysql: `rdsiam-testbed-${tag}-mysql`,
      dsql: `rdsiam-testbed-${tag}-dsql`,
    },
  };
}

function cluster(dir: string, name: string) {
  return {
    root: join(dir, name),
    data: join(dir, name, 'data'),
    // The unix socket dir doubles as the bootstrap door (trust for the postgres OS user only).
    socketDir: join(dir, name, 'socket'),
    log: join(dir, 'logs', `${name}.log`),
  };
}

export type Layout = ReturnType<typeof layout>;
