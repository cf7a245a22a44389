import { type Testbed } from './testbed.js';
/**
 * For scripts outside `npm test` (the demo, the benchmarks): the running test bed, or one started now.
 * `release()` stops it only if this call started it, so a shared test bed is left running. Throws
 * TestbedNotReadyError (the scripts exit 2) when the machine lacks packages and they may not be installed here.
 */
export declare function ensureTestbed(who: string): Promise<{
    tb: Testbed;
    startedHere: boolean;
    release(): void;
}>;
