import type { ConnectOptions } from '../../src/connect.js';
import type { AwsCredentials } from '../../src/aws-credentials.js';
import { NO_CONFIG_DIR } from './projects.js';
import type { Testbed, TestCredentials } from './testbed.js';

export type Server = 'postgres' | 'mysql' | 'dsql';

/** A test bed server's local address as a DSN, logging in as `user` (its IAM user, or DSQL's admin, unless told). */
function testbedDsn(tb: Testbed, server: Server, user?: string): string {
  const s = tb[server];
  const login = user ?? ('iamUser' in s ? s.iamUser : s.adminUser);
  return `${server === 'mysql' ? 'mysql' : 'postgres'}://${login}@${s.host}:${s.port}/${s.database}`;
}

const pluginFor = (server: Server): string => (server === 'dsql' ? 'iam_dsql' : 'iam');

/**
 * Connect options that reach a test bed server through its local address while signing for, and checking
 * the certificate against, its RDS-style endpoint name: the config a user behind a tunnel would write.
 */
export function testbedOptions(
  tb: Testbed,
  server: Server,
  credentials: () => Promise<AwsCredentials>,
  overrides: Record<string, unknown> = {},
  user?: string,
): ConnectOptions {
  return {
    cwd: NO_CONFIG_DIR,
    env: {},
    credentials,
    overrides: {
      dsn: testbedDsn(tb, server, user),
      plugins: pluginFor(server),
      iam_host: tb[server].endpoint,
      ssl: { ca: tb.caPem },
      ...overrides,
    },
  };
}

/** The test bed's PostgreSQL reader endpoint as a named connection: its own user, signing for the cluster-ro name. */
export function testbedReader(tb: Testbed): { dsn: string; iam_host: string } {
  return { dsn: testbedDsn(tb, 'postgres', tb.postgres.readerUser), iam_host: tb.postgres.readerEndpoint };
}

/** The same config as environment variables for another process, with `key` in the AWS_* variables. */
export function testbedEnv(
  tb: Testbed,
  server: Server,
  key: TestCredentials,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    RDSIAM_DSN: testbedDsn(tb, server),
    RDSIAM_PLUGINS: pluginFor(server),
    RDSIAM_IAM_HOST: tb[server].endpoint,
    RDSIAM_SSL__CA: tb.ca,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    ...(key.sessionToken ? { AWS_SESSION_TOKEN: key.sessionToken } : {}),
    ...extra,
  };
}
