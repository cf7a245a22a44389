import type { Clock } from '../../src/clock.js';
/** A clock that moves only when told to. */
export declare class ManualClock implements Clock {
    #private;
    constructor(start?: number);
    now(): number;
    advance(ms: number): void;
}
