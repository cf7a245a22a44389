// Promises shared by key: the one helper behind every "load or compute once, share it with concurrent callers" in
// rdsiam (token signings, credential fetches, writer-region lookups, SDK signers, CA files, lazy packages).

/**
 * What to keep once a promise settles: `none` (a single flight: shared while it runs, then forgotten), or
 * `fulfilled` (a memo: a value is kept, a failure forgotten so that the next call tries again).
 */
export type Keep = 'none' | 'fulfilled';

/**
 * The promise held in `flights` for `key`, else `create()`'s, held there for concurrent and (with `keep: 'fulfilled'`)
 * later callers. A settled promise is only removed while it is still the one held, so `flights.clear()` may be called
 * at any time.
 */
export function getOrCreate<K, V>(
  flights: Map<K, Promise<V>>,
  key: K,
  create: () => Promise<V>,
  keep: Keep,
): Promise<V> {
  const held = flights.get(key);
  if (held !== undefined) return held;
  const created = create();
  flights.set(key, created);
  const forget = (): void => {
    if (flights.get(key) === created) flights.delete(key);
  };
  created.then(keep === 'none' ? forget : undefined, forget);
  return created;
}

/** `create()`'s value, created once and shared; a failure is forgotten, so the next call tries again. */
export function onceFulfilled<T>(create: () => Promise<T>): () => Promise<T> {
  const held = new Map<true, Promise<T>>();
  return () => getOrCreate(held, true, create, 'fulfilled');
}
