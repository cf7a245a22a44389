import type { RdsIamChannel, RdsIamEvents } from '../../src/events.js';
/** Calls `listener` with each event published on channel `name`, until the returned function is called. */
export declare function onEvent<K extends RdsIamChannel>(name: K, listener: (event: RdsIamEvents[K]) => void): () => void;
/** Collects one channel's events until `stop()`. */
export declare function collect<K extends RdsIamChannel>(name: K): {
    events: RdsIamEvents[K][];
    stop(): void;
};
/** Collects what is published on `channels` while `fn` runs. */
export declare function recording<T, K extends RdsIamChannel>(channels: readonly K[], fn: () => Promise<T>): Promise<{
    result: T;
    events: {
        [C in K]: RdsIamEvents[C][];
    };
}>;
