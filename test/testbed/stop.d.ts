import type { Layout } from './layout.js';
/** Stops servers and verifier, then removes PAM files, data and runtime files. Safe to run at any time. */
export declare function stop(paths: Layout, say: (line: string) => void): Promise<void>;
