import { RdsIamError } from './errors.js';

/**
 * Imports an optional package on first use, so nobody loads (or must install) what their config never needs. A
 * missing package is an error that says what to install and why; a failed import is tried again on the next call.
 */
export function lazyPackage<T>(pkg: string, neededFor: string, importer: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= importer().catch((err: unknown) => {
      loading = undefined;
      throw new RdsIamError(`rdsiam needs the "${pkg}" package ${neededFor}: run \`npm install ${pkg}\`. (${(err as Error).message})`);
    }));
}
