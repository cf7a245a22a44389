import { traced } from '../tracing.js';
import { publish } from '../events.js';
import { getOrCreate } from '../single-flight.js';
import { staleRetryAt } from '../stale-retry.js';
import type { Clock } from '../clock.js';
import { describeGlobalWriter } from './describe-global-clusters.js';
import type { GlobalWriter, LookupCredentials } from './describe-global-clusters.js';
import type { GlobalWriterLookup } from './target.js';

/** A writer region as looked up, with when to look it up again. */
export interface WriterRegion extends GlobalWriter {
  /** ms epoch from which it is looked up again: its lookup's start plus the TTL, or sooner after a failed lookup. */
  readonly refreshAt: number;
}

type DescribeWriter = (lookup: GlobalWriterLookup, credentials: LookupCredentials) => Promise<GlobalWriter>;

/**
 * Writer regions of Aurora global database endpoints, by endpoint: each reused for its lookup's TTL, concurrent lookups
 * of one endpoint shared. A lookup that fails once a region is known keeps that region for a while, so an API outage
 * does not stop new connections to a writer that has not moved.
 */
export class GlobalWriterRegions {
  readonly #clock: Clock;
  readonly #describe: DescribeWriter;
  readonly #entries = new Map<string, WriterRegion>();
  readonly #flights = new Map<string, Promise<WriterRegion>>();

  constructor(clock: Clock, describe: DescribeWriter = describeGlobalWriter) {
    this.#clock = clock;
    this.#describe = describe;
  }

  /** The writer region: until its refresh time, the cached one, returned as is (the warm path), else one shared lookup. */
  get(lookup: GlobalWriterLookup, credentials: LookupCredentials): WriterRegion | Promise<WriterRegion> {
    const entry = this.#entries.get(lookup.endpoint);
    if (entry !== undefined && this.#clock.now() < entry.refreshAt) return entry;
    return this.#lookUp(lookup, credentials, entry);
  }

  /**
   * Looks the writer up again after a login with the region `seen` was refused, unless a newer lookup has been made
   * or is under way: N refused logins make one API call. A failure here is thrown, since `seen` was just refused.
   */
  refresh(lookup: GlobalWriterLookup, credentials: LookupCredentials, seen: WriterRegion): Promise<WriterRegion> {
    const entry = this.#entries.get(lookup.endpoint);
    if (!this.#flights.has(lookup.endpoint) && entry !== undefined && entry !== seen) return Promise.resolve(entry);
    return this.#lookUp(lookup, credentials, undefined);
  }

  #lookUp(
    lookup: GlobalWriterLookup,
    credentials: LookupCredentials,
    known: WriterRegion | undefined,
  ): Promise<WriterRegion> {
    return getOrCreate(this.#flights, lookup.endpoint, () => this.#run(lookup, credentials, known), 'none');
  }

  async #run(
    lookup: GlobalWriterLookup,
    credentials: LookupCredentials,
    known: WriterRegion | undefined,
  ): Promise<WriterRegion> {
    const { endpoint, homeRegion } = lookup;
    const started = this.#clock.now();
    try {
      const found = await traced(
        'rdsiam:global-writer',
        () => ({ endpoint, homeRegion }),
        () => this.#describe(lookup, credentials),
        (writer) => ({ region: writer.region }),
      );
      const entry: WriterRegion = { ...found, refreshAt: started + lookup.ttlMs };
      const previousRegion = this.#entries.get(endpoint)?.region ?? null;
      this.#entries.set(endpoint, entry);
      publish('rdsiam:global:writer-region', () => ({
        endpoint,
        homeRegion,
        region: entry.region,
        previousRegion,
        clusterArn: entry.clusterArn,
        durationMs: this.#clock.now() - started,
      }));
      return entry;
    } catch (err) {
      publish('rdsiam:global:lookup-failed', () => ({
        endpoint,
        homeRegion,
        durationMs: this.#clock.now() - started,
        error: err instanceof Error ? err.message : String(err),
        servedStale: known !== undefined,
      }));
      if (known === undefined) throw err;
      const kept: WriterRegion = { ...known, refreshAt: staleRetryAt(this.#clock.now()) };
      this.#entries.set(endpoint, kept);
      return kept;
    }
  }
}
