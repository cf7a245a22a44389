import type { Metafile } from 'esbuild';
/** Licenses that ask no more of rdsiam (MIT) than shipping their notice with the code. */
export declare const ALLOWED_LICENSES: string[];
export interface BundledPackage {
    name: string;
    version: string;
    /** The package.json `license`, an SPDX id. */
    license: string;
    /** Its directory, relative to the build's working directory (node_modules/@babel/code-frame). */
    dir: string;
    /** Its license files (and NOTICE files), by file name, with their text. */
    files: Array<{
        file: string;
        text: string;
    }>;
    /** The output files holding its code (dist/index.js). */
    outputs: string[];
    /** The input files outside the package that import it: how it came into the bundle. */
    importers: string[];
}
export interface BundledLicenses {
    packages: BundledPackage[];
    /** One line per package that cannot ship, naming it and where it came in. Empty when all can. */
    problems: string[];
}
/** Every npm package esbuild read for the builds whose metafiles these are, with `root` their working directory. */
export declare function bundledLicenses(metafiles: Metafile[], root: string): BundledLicenses;
/** dist/THIRD_PARTY_LICENSES.md: one section per package, headed `## name@version`, with its license files' text. */
export declare function noticesMarkdown(packages: BundledPackage[]): string;
/**
 * dist/bundled.cdx.json: the bundled packages as CycloneDX 1.5 components, named as `npm sbom` names the declared
 * dependencies, with npm's own mark for a bundled package. No timestamp or serial number: the same build, the same file.
 */
export declare function cycloneDxFragment(packages: BundledPackage[], main: {
    name: string;
    version: string;
}): object;
