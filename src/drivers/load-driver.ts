import { RdsIamError } from '../errors.js';

export type DriverPackage = 'pg' | 'mysql2';

/**
 * Imports a driver package on first use, so a pg user never loads mysql2 and importing rdsiam loads neither.
 * `importer` must be `() => import('<package>').catch(missingDriver('<package>'))`, written out like that: a
 * bundler (esbuild, AWS CDK's NodejsFunction) then builds an application without the other driver instead of
 * failing on its import, and at run time a missing package is an error that says what to install.
 */
export function loadDriver<T>(importer: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= importer().then(commonJsExports, (err: unknown) => {
      loading = undefined;
      throw err;
    }));
}

/** The handler for a driver import that failed: a package that is not there, or one that would not load. */
export function missingDriver(pkg: DriverPackage): (err: unknown) => never {
  return (err) => {
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown } | null)?.code;
    const notFound = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(pkg);
    throw new RdsIamError(
      notFound
        ? `rdsiam needs the "${pkg}" package for this DSN: run \`npm install ${pkg}\`. (${message})`
        : `rdsiam could not load the "${pkg}" package: ${message}`,
    );
  };
}

/** Node hands a CommonJS package to `import()` as `default`; a bundle may hand over its exports directly. */
function commonJsExports<T>(mod: T): T {
  return (mod as { default?: T }).default ?? mod;
}
