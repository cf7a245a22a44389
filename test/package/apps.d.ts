import { type Result } from '../support/run.js';
export declare const ROOT: string;
/** The repository's own TypeScript and esbuild: applications get them from no registry, only the tools' output matters. */
export declare const TSC: string;
export interface Packed {
    tarball: string;
    /** Bytes of the .tgz, and of its files unpacked. */
    size: number;
    unpackedSize: number;
    files: string[];
}
/** `npm pack` of this repository (which builds dist/ first) into `dir`. */
export declare function pack(dir: string): Promise<Packed>;
/** The version this repository's lock file pins, so that npm finds the package in its cache. */
export declare function lockedVersion(name: string): Promise<string>;
export interface App {
    dir: string;
    /** Writes files, by path relative to the app. */
    write(files: Record<string, string>): void;
    /** Runs `node` (the Node running the tests) with `args` in the app (or `cwd` under it), with only `env`, PATH and no HOME. */
    node(args: string[], env?: Record<string, string>, cwd?: string): Promise<Result>;
}
/** A new application in its own temp directory (removed when the tests end) with `rdsiam` from the tarball and `packages` installed. */
export declare function installApp(name: string, packed: Packed, packages: string[]): Promise<App>;
