import type { IssuedToken, TokenSource } from '../token/token-source.js';

/** A token source that remembers its latest fetch, so a driver's failure can be traced to the token behind it. */
export interface TrackedSource extends TokenSource {
  /**
   * The error to report for a failed connect: when the latest token fetch failed (or is still running and then
   * fails), that failure, e.g. a CredentialsError; else the driver's own error. The drivers fetch the token inside
   * their handshake, so without this a hanging credential source shows up as the driver's generic timeout.
   */
  explain(err: unknown): Promise<unknown>;
}

export function trackFetches(source: TokenSource): TrackedSource {
  let latest: Promise<IssuedToken> | undefined;
  return {
    target: () => source.target(),
    get() {
      const fetching = source.get();
      latest = fetching;
      return fetching;
    },
    fresh: (refused) => source.fresh(refused),
    refused: (token) => source.refused(token),
    warm: () => source.warm?.(),
    async explain(err) {
      if (latest === undefined) return err;
      return (await latest.then(() => undefined, (failure: unknown) => failure)) ?? err;
    },
  };
}
