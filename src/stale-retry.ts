// One rule for a value whose renewal failed while the old one is still usable (credentials, the writer region of a
// global database): the old one is served, and renewal is tried again no sooner than this, so an outage of the source
// costs one call per 10 s rather than one per connect.
export const STALE_RETRY_MS = 10_000;

/** When to try renewing again, after a renewal failed at `now`. */
export function staleRetryAt(now: number): number {
  return now + STALE_RETRY_MS;
}
