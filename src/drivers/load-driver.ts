import { lazyPackage } from '../optional-package.js';

/** Imports a driver package on first use, so a pg user never loads mysql2 and importing rdsiam loads neither. */
export function loadDriver<T>(pkg: 'pg' | 'mysql2', importer: () => Promise<T>): () => Promise<T> {
  return lazyPackage(pkg, 'for this DSN', importer);
}
