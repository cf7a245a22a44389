import { DEFAULT_PORT } from '../config/dsn.js';
import type { ResolvedConfig } from '../config/resolve.js';

/** Where and as whom a driver connects: the DSN, with engine defaults filled in. */
interface ConnectPlan {
  host: string;
  port: number;
  user: string;
  database: string | undefined;
  timeoutMs: number;
}

export function connectPlanFor(config: ResolvedConfig): ConnectPlan {
  const dsql = config.plugin === 'iam_dsql';
  const { dsn } = config;
  return {
    host: dsn.host,
    port: dsn.port ?? DEFAULT_PORT[dsn.engine],
    user: dsn.user,
    // DSQL clusters have one database, `postgres`.
    database: dsn.database ?? (dsql ? 'postgres' : undefined),
    timeoutMs: config.connect_timeout_ms,
  };
}
