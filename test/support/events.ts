import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { RdsIamChannel, RdsIamEvents } from '../../src/events.js';

/** Calls `listener` with each event published on channel `name`, until the returned function is called. */
export function onEvent<K extends RdsIamChannel>(name: K, listener: (event: RdsIamEvents[K]) => void): () => void {
  const subscriber = (message: unknown): void => listener(message as RdsIamEvents[K]);
  subscribe(name, subscriber);
  return () => void unsubscribe(name, subscriber);
}

/** Collects one channel's events until `stop()`. */
export function collect<K extends RdsIamChannel>(name: K): { events: RdsIamEvents[K][]; stop(): void } {
  const events: RdsIamEvents[K][] = [];
  return { events, stop: onEvent(name, (event) => void events.push(event)) };
}

/** Collects what is published on `channels` while `fn` runs. */
export async function recording<T, K extends RdsIamChannel>(
  channels: readonly K[],
  fn: () => Promise<T>,
): Promise<{ result: T; events: { [C in K]: RdsIamEvents[C][] } }> {
  const recorders = channels.map((name) => [name, collect(name)] as const);
  try {
    const result = await fn();
    return {
      result,
      events: Object.fromEntries(recorders.map(([name, r]) => [name, r.events])) as { [C in K]: RdsIamEvents[C][] },
    };
  } finally {
    for (const [, r] of recorders) r.stop();
  }
}
