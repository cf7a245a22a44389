import { request } from 'node:http';
import type { KeyPolicy } from './config.js';
import type { LoginQuery, LoginRecord } from './login-log.js';

/** A typed client for the verifier's control API (HTTP over its root-only unix socket). */
export class VerifierClient {
  readonly #socketPath: string;

  constructor(controlSocket: string) {
    this.#socketPath = controlSocket;
  }

  health(): Promise<{ pid: number; pamListening: boolean }> {
    return this.#call('GET', '/health');
  }

  /** Registers a key (or replaces its policy) so a test can isolate itself from parallel tests. */
  async addKey(key: KeyPolicy): Promise<void> {
    await this.#call('POST', '/keys', key);
  }

  async revokeKey(accessKeyId: string): Promise<void> {
    await this.#call('DELETE', `/keys/${encodeURIComponent(accessKeyId)}`);
  }

  /** Accepted and refused logins, oldest first, filtered as asked. */
  logins(query: LoginQuery = {}): Promise<LoginRecord[]> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
    return this.#call('GET', `/logins?${params.toString()}`);
  }

  /**
   * Takes the verifier's PAM socket away: every login on every server fails until `start()`.
   * This affects test files running in parallel; prefer a key with `hangUp: true` where that will do.
   */
  async stop(): Promise<void> {
    await this.#call('POST', '/pam/close');
  }

  async start(): Promise<void> {
    await this.#call('POST', '/pam/open');
  }

  #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          socketPath: this.#socketPath,
          method,
          path,
          headers: payload === undefined ? {} : { 'content-type': 'application/json' },
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 400) reject(new Error(`verifier ${method} ${path}: ${status} ${text}`));
            else resolve((text ? JSON.parse(text) : undefined) as T);
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`verifier ${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
