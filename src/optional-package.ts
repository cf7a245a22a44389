import { createRequire } from 'node:module';
import { MissingPackageError, RdsIamError } from './errors.js';
import { onceFulfilled } from './single-flight.js';

export type Packages = typeof import('./packages.cjs');

let packages: Promise<Packages | undefined> | undefined;

/**
 * Loads a package on first use, so nobody loads (or must install) what their config never needs; a failed load is
 * tried again on the next call. `required` takes it from packages.cjs (CommonJS `require`, the cheap way); when that
 * gives nothing, `importer` imports it. An optional package's `importer` must be written out as
 * `() => import('<package>').catch(missingPackage('<package>', '<why>'))`: a bundler (esbuild, AWS CDK's
 * NodejsFunction) then builds an application without the package instead of failing on its import.
 */
export function lazyPackage<T>(
  required: (packages: Packages) => unknown,
  importer: () => Promise<T>,
): () => Promise<T> {
  return onceFulfilled(async (): Promise<T> => {
    packages ??= loadPackages();
    const gateway = await packages;
    const mod = ((gateway && required(gateway)) as T | undefined) ?? (await importer());
    return commonJsExports(mod);
  });
}

/**
 * packages.cjs itself. Where it lies beside this module (rdsiam as installed, or its sources), `require` takes it:
 * an `import()` of a CommonJS file goes through Node's ES module loader, which first loads and runs its CommonJS
 * lexer, for a few milliseconds of every cold start. Elsewhere `import()` takes it: from a bundle that holds it, or
 * from the CommonJS build, which holds it and has no `import.meta`. A host that cannot load it at all still gets
 * every package, imported.
 */
function loadPackages(): Promise<Packages | undefined> {
  const here = import.meta.url as string | undefined;
  if (here !== undefined) {
    try {
      return Promise.resolve(createRequire(here)('./packages.cjs') as Packages);
    } catch {
      // Not beside this module: a bundle.
    }
  }
  return import('./packages.cjs').then(
    (m) => m.default,
    () => undefined,
  );
}

/** The handler for an optional package's failed import: one that is not there says what to install and why. */
export function missingPackage(pkg: string, neededFor: string): (err: unknown) => never {
  return (err) => {
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown } | null)?.code;
    const notFound = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(pkg);
    if (notFound) {
      throw new MissingPackageError(
        pkg,
        `rdsiam needs the "${pkg}" package ${neededFor}: run \`npm install ${pkg}\`. (${message})`,
      );
    }
    throw new RdsIamError(`rdsiam could not load the "${pkg}" package: ${message}`);
  };
}

/** Node hands a CommonJS package to `import()` as `default`; `require` and a bundle hand over its exports directly. */
function commonJsExports<T>(mod: T): T {
  return (mod as { default?: T }).default ?? mod;
}
