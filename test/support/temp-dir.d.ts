/** A new directory under the OS temp dir, named `<prefix>XXXXXX`, removed when this process exits. */
export declare function tempDir(prefix?: string): string;
