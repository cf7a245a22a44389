import type { ResolvedConfig } from '../config/types.js';

/** Where and as whom a driver connects: the DSN, with engine defaults filled in. */
export interface ConnectPlan {
  host: string;
  port: number;
  user: string;
  database: string | undefined;
  timeoutMs: number;
}

export function connectPlanFor(config: ResolvedConfig): ConnectPlan {
  const dsql = config.plugins.includes('iam_dsql');
  const { dsn } = config;
  return {
    host: dsn.host,
    port: dsn.port ?? (dsn.engine === 'mysql' ? 3306 : 5432),
    user: dsn.user,
    // DSQL clusters have one database, `postgres`.
    database: dsn.database ?? (dsql ? 'postgres' : undefined),
    timeoutMs: config.connect_timeout_ms,
  };
}
