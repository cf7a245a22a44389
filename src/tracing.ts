import { tracingChannel, type TracingChannel } from 'node:diagnostics_channel';

/**
 * The async operations rdsiam publishes as `node:diagnostics_channel` TracingChannels (start, end, asyncStart,
 * asyncEnd, error), beside its events (events.ts). Subscribe with `diagnostics_channel.tracingChannel(name).subscribe`.
 * Each context says what the operation is for; `result` is a summary that never holds a token, a key or a password.
 */
export interface RdsIamTraces {
  /** A credential provider fetching AWS credentials (not served from memory). */
  'rdsiam:credentials': {
    source: string;
    profile: string | undefined;
    roleArn: string | undefined;
    result?: { accessKeyFingerprint: string; expiresAt: number | null };
  };
  /** Signing one IAM token (a cache miss or a forced refresh). */
  'rdsiam:sign': {
    plugin: string;
    host: string;
    port: number;
    user: string;
    region: string;
    result?: { fingerprint: string };
  };
  /** Looking up an Aurora global database endpoint's writer region (DescribeGlobalClusters). */
  'rdsiam:global-writer': { endpoint: string; homeRegion: string; result?: { region: string } };
  /** Opening one new database connection, with its retries of transient server states. */
  'rdsiam:connect': { engine: 'postgres' | 'mysql'; host: string; port: number; result?: { attempts: number } };
}

/** The name of every TracingChannel rdsiam publishes on. */
export type RdsIamTrace = keyof RdsIamTraces;

type Context<K extends RdsIamTrace> = RdsIamTraces[K] & { error?: unknown };

// Made on first use: importing rdsiam creates no channel.
let channels: Map<RdsIamTrace, TracingChannel<object, object>> | undefined;

function channelFor(name: RdsIamTrace): TracingChannel<object, object> {
  channels ??= new Map();
  let found = channels.get(name);
  if (found === undefined) channels.set(name, (found = tracingChannel(name)));
  return found;
}

/**
 * Runs `fn` as one traced operation. `context` is built only when someone subscribes; the context's `result` is
 * `summary` of what `fn` returned, never the value itself (credentials, tokens).
 */
export function traced<K extends RdsIamTrace, T>(
  name: K,
  context: () => Omit<RdsIamTraces[K], 'result'>,
  fn: () => Promise<T>,
  summary: (value: T) => RdsIamTraces[K]['result'],
): Promise<T> {
  const ch = channelFor(name);
  if (!ch.hasSubscribers) return fn();
  let value: T;
  const ctx = context() as Context<K>;
  return ch
    .tracePromise(async () => {
      value = await fn();
      return summary(value);
    }, ctx)
    .then(() => value);
}
