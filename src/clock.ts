/** Milliseconds since the epoch; injectable so tests and benchmarks control expiry without sleeping. */
export interface Clock {
  /** The current time, in milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
