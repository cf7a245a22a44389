/**
 * The start of a probe that hides modules from `import` (a resolve hook) and from `require` (its resolver) alike, as if
 * they were not there: `matches` is a JavaScript expression over `specifier`.
 */
export function hidingModules(matches: string): string {
  const hook = `export async function resolve(specifier, context, next) {
    if (${matches}) throw Object.assign(new Error("Cannot find package '" + specifier + "'"), { code: 'ERR_MODULE_NOT_FOUND' });
    return next(specifier, context);
  }`;
  return `
import Module, { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (specifier, ...rest) {
  if (${matches}) throw Object.assign(new Error("Cannot find module '" + specifier + "'"), { code: 'MODULE_NOT_FOUND' });
  return resolveFilename.call(this, specifier, ...rest);
};
`;
}
