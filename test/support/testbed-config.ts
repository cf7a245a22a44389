import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ConnectOptions } from '../../src/connect.js';
import type { RdsIamChannel, RdsIamEvents } from '../../src/events.js';
import type { AwsCredentials } from '../../src/token/credentials.js';
import type { Testbed, TestCredentials } from './testbed.js';

export type Server = 'postgres' | 'mysql' | 'dsql';

// An empty directory to search from, so no project config file leaks into a test.
let emptyDir: string | undefined;
function noConfigDir(): string {
  emptyDir ??= mkdtempSync(join(tmpdir(), 'rdsiam-noconfig-'));
  return emptyDir;
}

/** A credentials provider serving test bed keys that counts how often it is asked. */
export function countingCredentials(keys: TestCredentials): { provider: () => Promise<AwsCredentials>; calls: () => number } {
  let calls = 0;
  return {
    provider: async () => {
      calls += 1;
      return { ...keys };
    },
    calls: () => calls,
  };
}

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
  const s = tb[server];
  const login = user ?? ('iamUser' in s ? s.iamUser : s.adminUser);
  const protocol = server === 'mysql' ? 'mysql' : 'postgres';
  return {
    cwd: noConfigDir(),
    env: {},
    credentials,
    overrides: {
      dsn: `${protocol}://${login}@${s.host}:${s.port}/${s.database}`,
      plugins: server === 'dsql' ? 'iam_dsql' : 'iam',
      iam_host: s.endpoint,
      ssl: { ca: tb.caPem },
      ...overrides,
    },
  };
}

/** Collects one diagnostics channel's events until `stop()`. */
export function collect<K extends RdsIamChannel>(name: K): { events: RdsIamEvents[K][]; stop(): void } {
  const events: RdsIamEvents[K][] = [];
  const listener = (message: unknown): void => void events.push(message as RdsIamEvents[K]);
  subscribe(name, listener);
  return { events, stop: () => unsubscribe(name, listener) };
}
