/**
 * The start of a probe that hides modules from `import` (a resolve hook) and from `require` (its resolver) alike, as if
 * they were not there: `matches` is a JavaScript expression over `specifier`.
 */
export declare function hidingModules(matches: string): string;
