import type { Clock } from '../../src/clock.js';

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}
