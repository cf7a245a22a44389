import type { Clock } from '../../src/clock.js';

/**
 * A clock whose time moves only when all the work it runs is asleep: `sleep(ms)` resolves when time reaches now + ms,
 * sleepers woken in order. For code whose clock and waits are injected (RetryTiming, PaceTiming), so that a burst of
 * concurrent waits plays out as it would in real time, in none.
 */
export class VirtualTime implements Clock {
  #now: number;
  #seq = 0;
  readonly #sleepers: { at: number; seq: number; wake: () => void }[] = [];

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((wake) => void this.#sleepers.push({ at: this.#now + Math.max(0, ms), seq: this.#seq++, wake }));

  /** Runs `work` to its end: whenever nothing can run but sleepers, time jumps to the next one and wakes it. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const result = work.finally(() => {
      settled = true;
    });
    result.catch(() => {});
    for (;;) {
      // A macrotask turn: every promise chain that can move has moved.
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return result;
      this.#sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#sleepers.shift();
      if (next === undefined) throw new Error('the work waits on something other than this clock');
      this.#now = next.at;
      next.wake();
    }
  }
}
