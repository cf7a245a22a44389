import type { Engine } from '../../src/config/dsn.js';
import type { ResolvedConfig } from '../../src/config/resolve.js';
import { isGroup, type Group, type Key } from '../../src/config/key.js';
import { CONNECTION_KEYS } from '../../src/config/keys.js';
import { RDS_HOST } from './hosts.js';

/** Every default the key table declares, in the resolved shape (groups as objects). */
function tableDefaults(keys: Record<string, Key | Group>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(keys)) {
    if (isGroup(entry)) out[name] = tableDefaults(entry.keys);
    // `plugins` is resolved to one `plugin`, set below.
    else if (entry.default !== undefined && name !== 'plugins') out[name] = entry.default;
  }
  return out;
}

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
    ...(tableDefaults(CONNECTION_KEYS) as Omit<ResolvedConfig, 'dsn' | 'connection' | 'origins' | 'connectionNames'>),
    plugin: 'iam',
    origins: {},
    connectionNames: ['default'],
    ...rest,
  };
}
