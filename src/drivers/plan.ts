import type { ResolvedConfig } from '../config/types.js';
import { endpointNames } from '../endpoint/names.js';

/** Where and as whom a driver connects: the DSN (a bare DSQL cluster id expanded), with engine defaults filled in. */
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
    host: endpointNames(config).connectHost,
    port: dsn.port ?? (dsn.engine === 'mysql' ? 3306 : 5432),
    user: dsn.user,
    // DSQL clusters have one database, `postgres`.
    database: dsn.database ?? (dsql ? 'postgres' : undefined),
    timeoutMs: config.connect_timeout_ms,
  };
}
