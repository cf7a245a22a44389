/** Milliseconds since the epoch; injectable so tests and benchmarks control expiry without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
