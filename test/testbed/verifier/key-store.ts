import type { KeyPolicy } from './config.js';

/** The keys the verifier accepts: the start-up ones plus any a test registers at runtime. */
export class KeyStore {
  readonly #keys = new Map<string, KeyPolicy>();

  constructor(initial: readonly KeyPolicy[]) {
    for (const key of initial) this.put(key);
  }

  /** Adds a key or replaces its policy. */
  put(key: KeyPolicy): void {
    this.#keys.set(key.accessKeyId, { ...key });
  }

  revoke(accessKeyId: string): boolean {
    return this.#keys.delete(accessKeyId);
  }

  find(accessKeyId: string): KeyPolicy | undefined {
    return this.#keys.get(accessKeyId);
  }
}

/** Validates a key posted to the control API; returns a message for the first problem found. */
export function keyProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'body must be a JSON object';
  const k = value as Record<string, unknown>;
  if (typeof k.accessKeyId !== 'string' || !/^[A-Z0-9]{16,128}$/.test(k.accessKeyId))
    return 'accessKeyId must be 16-128 upper-case letters or digits';
  if (typeof k.secretAccessKey !== 'string' || k.secretAccessKey.length === 0)
    return 'secretAccessKey must be a non-empty string';
  if (k.sessionToken !== undefined && typeof k.sessionToken !== 'string') return 'sessionToken must be a string';
  if (k.maxTokenAgeSeconds !== undefined && !(typeof k.maxTokenAgeSeconds === 'number' && k.maxTokenAgeSeconds >= 0))
    return 'maxTokenAgeSeconds must be a number >= 0';
  if (k.users !== undefined && !(Array.isArray(k.users) && k.users.every((u) => typeof u === 'string')))
    return 'users must be an array of strings';
  if (k.hangUp !== undefined && typeof k.hangUp !== 'boolean') return 'hangUp must be a boolean';
  if (k.region !== undefined && !(typeof k.region === 'string' && /^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(k.region)))
    return 'region must be an AWS region name such as us-west-2';
  if (k.clockOffsetMs !== undefined && !Number.isFinite(k.clockOffsetMs)) return 'clockOffsetMs must be a number';
  return undefined;
}
