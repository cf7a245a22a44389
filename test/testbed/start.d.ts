import { type Layout } from './layout.js';
/**
 * Starts everything unless it is already up and healthy; returns the state file's path. First installs what the
 * machine lacks, when allowed (see requirements.ts); throws TestbedNotReadyError when it lacks it and may not.
 */
export declare function start(paths: Layout, say: (line: string) => void): Promise<string>;
