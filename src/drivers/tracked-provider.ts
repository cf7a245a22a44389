import type { IssuedToken, TokenProvider } from '../token/token-provider.js';

/** A token provider that remembers its latest fetch, so a driver's failure can be traced to the token behind it. */
export interface TrackedProvider extends TokenProvider {
  /**
   * The error to report for a failed connect: when the latest token fetch failed (or is still running and then
   * fails), that failure, e.g. a CredentialsError; else the driver's own error. The drivers fetch the token inside
   * their handshake, so without this a hanging credential provider shows up as the driver's generic timeout.
   */
  explain(err: unknown): Promise<unknown>;
}

export function trackFetches(provider: TokenProvider): TrackedProvider {
  let latest: Promise<IssuedToken> | undefined;
  return {
    target: () => provider.target(),
    get() {
      const fetching = provider.get();
      latest = fetching;
      return fetching;
    },
    fresh: (refused) => provider.fresh(refused),
    refused: (token) => provider.refused(token),
    warm: () => provider.warm?.(),
    async explain(err) {
      if (latest === undefined) return err;
      return (
        (await latest.then(
          () => undefined,
          (failure: unknown) => failure,
        )) ?? err
      );
    },
  };
}
