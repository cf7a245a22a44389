/** The path of `file` inside the npm package `name@range`, installed into .cache/`dir` on first use. */
export function packageBinary(dir: string, name: string, range: string, file: string): string;

/** The directory holding `node` of this major, installed on first use. */
export function nodeBinDir(major: string): string;

/** Bun 1.4 and Deno 2.9: the releases users start new services on, from their own npm packages. */
export const RUNTIMES: {
  readonly bun: { readonly name: string; readonly range: string; readonly file: string };
  readonly deno: { readonly name: string; readonly range: string; readonly file: string };
};

/** The `bun` or `deno` executable, installed on first use. */
export function runtimeBinary(runtime: keyof typeof RUNTIMES): string;
