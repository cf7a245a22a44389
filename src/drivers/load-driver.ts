import { RdsIamError } from '../errors.js';

/**
 * Imports a driver package on first use, so a pg user never loads mysql2 and importing rdsiam
 * loads neither. A missing package is an error that says what to install.
 */
export function loadDriver<T>(pkg: 'pg' | 'mysql2', importer: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= importer().catch((err: unknown) => {
      loading = undefined;
      throw new RdsIamError(`rdsiam needs the "${pkg}" package for this DSN: run \`npm install ${pkg}\`. (${(err as Error).message})`);
    }));
}
