import { channel, type Channel } from 'node:diagnostics_channel';
import type { PluginCode } from './aws-facts.js';
import type { ConflictCode } from './dsql-retry.js';

/**
 * What rdsiam reports on `node:diagnostics_channel`. Subscribe with
 * `diagnostics_channel.subscribe('rdsiam:token:signed', (event) => ...)`.
 * Payloads carry fingerprints, never a token, a secret key or an access key id.
 */
export interface RdsIamEvents {
  /** A token was signed (a cache miss or a forced refresh). */
  'rdsiam:token:signed': TokenEvent & { durationMs: number; signedAt: number };
  /** A token was served from the cache. */
  'rdsiam:token:cache-hit': TokenEvent & { ageMs: number };
  /** Signing failed; the error is the CredentialsError (or other) that the callers received. */
  'rdsiam:token:sign-failed': Omit<TokenEvent, 'fingerprint'> & { durationMs: number; error: string };
  /** A credential provider was asked for new credentials and returned them. */
  'rdsiam:credentials:fetched': CredentialsEvent & { durationMs: number; expiresAt: number | null };
  /** A credential provider failed or timed out. `servedStale` when still-valid older credentials were kept. */
  'rdsiam:credentials:failed': CredentialsEvent & { durationMs: number; error: string; servedStale: boolean };
  /** Published by the driver layer when a login failed and it retries once with a fresh token. */
  'rdsiam:connect:retry': TokenEvent & { reason?: string };
  /** The database refused a token that a retry cannot help (freshly signed): the caller gets an AuthError. */
  'rdsiam:connect:refused': TokenEvent;
  /** A new connection failed in a transient state (`unavailable`: restart, failover, resume; `throttled`: RDS Proxy) and is tried again after `delayMs`. */
  'rdsiam:connect:backoff': {
    engine: 'postgres' | 'mysql';
    host: string;
    port: number;
    kind: 'unavailable' | 'throttled';
    reason: string;
    /** The attempt that failed, from 1. */
    attempt: number;
    delayMs: number;
    elapsedMs: number;
    budgetMs: number;
  };
  /** An Aurora global database endpoint's writer region was looked up with DescribeGlobalClusters. */
  'rdsiam:global:writer-region': GlobalLookupEvent & {
    region: string;
    previousRegion: string | null;
    clusterArn: string;
  };
  /** Looking up a writer region failed. `servedStale` when the last known region is kept for now. */
  'rdsiam:global:lookup-failed': GlobalLookupEvent & { error: string; servedStale: boolean };
  /** withDsqlRetry lost a concurrency conflict on try `attempt` and runs again after `delayMs`. */
  'rdsiam:dsql:retry': { attempt: number; maxAttempts: number; delayMs: number; code: ConflictCode };
  /** `rdsiam proxy` accepted a client connection (`client`: its address, or `unix`). */
  'rdsiam:proxy:accept': ProxyEvent & { client: string };
  /** `rdsiam proxy` signed in to the database for a client, with the token of that fingerprint. */
  'rdsiam:proxy:upstream-open': ProxyEvent & { durationMs: number; fingerprint: string };
  /** `rdsiam proxy` turned a client away, or the database turned the proxy away; `code` is the protocol's. */
  'rdsiam:proxy:refused': ProxyEvent & { code: string; reason: string };
  /** A proxied session ended. */
  'rdsiam:proxy:close': ProxyEvent & { durationMs: number; bytesFromClient: number; bytesToClient: number };
}

interface ProxyEvent {
  /** The config's connection name the listener serves (`default` for the top level). */
  connection: string;
  /** Numbers the sessions of one process. */
  session: number;
}

interface GlobalLookupEvent {
  /** The global writer endpoint. */
  endpoint: string;
  /** Where DescribeGlobalClusters was called (`iam_global_region`). */
  homeRegion: string;
  durationMs: number;
}

interface TokenEvent {
  plugin: PluginCode;
  host: string;
  port: number;
  user: string;
  region: string;
  fingerprint: string;
}

/** The fields of a token target that events carry. */
export function targetFields(t: Omit<TokenEvent, 'fingerprint'>): Omit<TokenEvent, 'fingerprint'> {
  return { plugin: t.plugin, host: t.host, port: t.port, user: t.user, region: t.region };
}

interface CredentialsEvent {
  source: string;
  profile: string | undefined;
  roleArn: string | undefined;
}

/** The name of every diagnostics channel rdsiam publishes on. */
export type RdsIamChannel = keyof RdsIamEvents;

// A record, so that a channel added to RdsIamEvents and not here is a type error.
const CHANNELS: Record<RdsIamChannel, true> = {
  'rdsiam:token:signed': true,
  'rdsiam:token:cache-hit': true,
  'rdsiam:token:sign-failed': true,
  'rdsiam:credentials:fetched': true,
  'rdsiam:credentials:failed': true,
  'rdsiam:connect:retry': true,
  'rdsiam:connect:backoff': true,
  'rdsiam:connect:refused': true,
  'rdsiam:global:writer-region': true,
  'rdsiam:global:lookup-failed': true,
  'rdsiam:dsql:retry': true,
  'rdsiam:proxy:accept': true,
  'rdsiam:proxy:upstream-open': true,
  'rdsiam:proxy:refused': true,
  'rdsiam:proxy:close': true,
};

/** Every channel rdsiam publishes on, e.g. to subscribe to all of them for debug logging. */
export const RDSIAM_CHANNELS: readonly RdsIamChannel[] = Object.freeze(Object.keys(CHANNELS) as RdsIamChannel[]);

// Each channel kept once made: `channel(name)` looks the name up among weak references on every call, which the
// token cache's hit path paid with no one subscribed (row 12 of the benchmarks). Importing rdsiam makes none.
let channels: Map<RdsIamChannel, Channel> | undefined;

/** Publishes an event; the payload is built only when someone is subscribed. */
export function publish<K extends RdsIamChannel>(name: K, payload: () => RdsIamEvents[K]): void {
  channels ??= new Map();
  let ch = channels.get(name);
  if (ch === undefined) channels.set(name, (ch = channel(name)));
  if (ch.hasSubscribers) ch.publish(payload());
}

/** For the driver layer: a login was refused and is retried once with a fresh token. */
export function publishRetry(event: RdsIamEvents['rdsiam:connect:retry']): void {
  publish('rdsiam:connect:retry', () => event);
}
