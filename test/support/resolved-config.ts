import type { Engine } from '../../src/config/dsn.js';
import type { ResolvedConfig } from '../../src/config/resolve.js';
import { RDS_HOST } from './hosts.js';

export interface ConfigShape extends Partial<Omit<ResolvedConfig, 'dsn'>> {
  host?: string;
  port?: number;
  user?: string;
  engine?: Engine;
}

/** A ResolvedConfig built directly (no loader): an IAM PostgreSQL connection to RDS_HOST unless told otherwise. */
export function resolvedConfig(shape: ConfigShape = {}): ResolvedConfig {
  const { host = RDS_HOST, port, user = 'app_user', engine = 'postgres', ...rest } = shape;
  const protocol = engine === 'mysql' ? 'mysql:' : 'postgres:';
  return {
    connection: 'default',
    dsn: {
      engine,
      protocol,
      user,
      host,
      ...(port === undefined ? {} : { port }),
      database: 'app',
      params: {},
      redacted: `${protocol}//${user}@${host}${port === undefined ? '' : `:${port}`}/app`,
    },
    plugins: ['iam'],
    iam_expiration: 840,
    iam_global_region: 'us-east-1',
    iam_global_ttl_s: 300,
    ssl: { mode: 'verify-full' },
    aws_credentials_source: 'chain',
    connect_timeout_ms: 5000,
    pool: {},
    origins: {},
    connectionNames: ['default'],
    ...rest,
  };
}
