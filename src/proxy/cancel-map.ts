import { randomInt } from 'node:crypto';

/** A backend's cancel key, as the database gave it to the proxy. */
export interface UpstreamKey {
  processId: number;
  secretKey: number;
}

/**
 * The cancel keys the proxy hands its clients, each mapped to the upstream backend it stands for: a client never
 * sees a real backend's key, and a CancelRequest names the backend only through the proxy.
 */
export class CancelMap<T extends UpstreamKey> {
  readonly #entries = new Map<number, { secretKey: number; upstream: T }>();
  #nextId = randomInt(1, 2 ** 30);

  /** A new client-facing key for `upstream`; `forget` it when the session ends. */
  issue(upstream: T): UpstreamKey {
    do this.#nextId = this.#nextId >= 2 ** 31 - 1 ? 1 : this.#nextId + 1;
    while (this.#entries.has(this.#nextId));
    const key = { processId: this.#nextId, secretKey: randomInt(-(2 ** 31), 2 ** 31 - 1) };
    this.#entries.set(key.processId, { secretKey: key.secretKey, upstream });
    return key;
  }

  /** The backend a client's CancelRequest is for, when its key is one the proxy issued and still holds. */
  lookup(processId: number, secretKey: number): T | undefined {
    const entry = this.#entries.get(processId);
    return entry?.secretKey === secretKey ? entry.upstream : undefined;
  }

  forget(processId: number): void {
    this.#entries.delete(processId);
  }
}
