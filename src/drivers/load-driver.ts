import { lazyPackage, missingPackage } from '../optional-package.js';

type DriverPackage = 'pg' | 'mysql2';

/**
 * Imports a driver package on first use, so a pg user never loads mysql2 and importing rdsiam loads neither:
 * `loadDriver(() => import('pg').catch(missingDriver('pg')))`.
 */
export const loadDriver = lazyPackage;

export function missingDriver(pkg: DriverPackage): (err: unknown) => never {
  return missingPackage(pkg, 'for this DSN');
}
