/** The absolute path of `test/fixtures/projects/<name>`, a read-only project (its own package.json stops the search there). */
export declare function fixtureProject(name: string): string;
/** A project without a config file: a config search from it finds nothing and stops there. */
export declare const NO_CONFIG_DIR: string;
/**
 * Writes `files`, given by path relative to `root`, creating directories as needed. Writable by the owner alone
 * whatever the umask, as the config trust check wants.
 */
export declare function writeFiles(root: string, files: Record<string, string>): void;
/**
 * A throwaway project for a test that changes its files: a temp directory with a package.json (so the search
 * stops there) and `files`. Use a fixture project where the files stay as they are.
 */
export declare function tempProject(files: Record<string, string>, packageJson?: object): string;
/** The uid of `nobody`, another user to give planted files to (which needs root). */
export declare const NOBODY = 65534;
/** The `skip` option of a test that gives files to nobody: false when running as root. */
export declare const NEEDS_ROOT: string | boolean;
/** A config naming RDS_HOST, as JSON. */
export declare const JSON_CONFIG: string;
/**
 * A directory like /tmp (mode 1777) holding what another user planted there: a `.rdsiamrc.cjs` that writes the file
 * `ran` when it is loaded, and a `.rdsiamrc.json`, both owned by nobody (so: run as root); and `x/y/` below, with no
 * package.json anywhere.
 */
export declare function plantedSharedDir(): {
    shared: string;
    ran: string;
    nested: string;
};
