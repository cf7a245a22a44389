import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { fingerprint } from '../../../src/secret.js';
import type { ServiceRule } from './config.js';
import type { KeyStore } from './key-store.js';
import type { LoginLog } from './login-log.js';
import { checkToken } from './token-check.js';

/** More than any real token; a peer sending more is not our PAM module. */
const MAX_REQUEST_BYTES = 32 * 1024;

export interface PamListenerDeps {
  socketPath: string;
  services: Record<string, ServiceRule>;
  keys: KeyStore;
  log: LoginLog;
  now?: () => Date;
}

/**
 * Answers pam_rdsiam over a unix socket: request "<service>\0<user>\0<token>\0", answer "OK\n" or
 * "NO <verdict>\n". It can be closed and reopened so tests see a real "verifier down" (connect fails).
 */
export class PamListener {
  readonly #deps: PamListenerDeps;
  #server: Server | undefined;

  constructor(deps: PamListenerDeps) {
    this.#deps = deps;
  }

  get listening(): boolean {
    return this.#server !== undefined;
  }

  async open(): Promise<void> {
    if (this.#server) return;
    await rm(this.#deps.socketPath, { force: true });
    // Half-open: the module shuts down its write side to end the request, then reads the answer.
    const server = createServer({ allowHalfOpen: true }, (socket) => this.#serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ path: this.#deps.socketPath, backlog: 1024 }, resolve);
    });
    // The database servers run as the postgres and mysql OS users and must be able to connect.
    await chmod(this.#deps.socketPath, 0o666);
    this.#server = server;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(this.#deps.socketPath, { force: true });
  }

  #serve(socket: Socket): void {
    const chunks: Buffer[] = [];
    let size = 0;
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) socket.destroy();
      else chunks.push(chunk);
    });
    socket.on('end', () => {
      this.#answer(Buffer.concat(chunks)).then(
        (answer) => (answer === undefined ? socket.destroy() : socket.end(answer)),
        (error: unknown) => {
          process.stderr.write(`verifier: internal error: ${String(error)}\n`);
          socket.end('NO internal\n');
        },
      );
    });
  }

  /** Returns the line to send, or undefined to hang up without one. */
  async #answer(request: Buffer): Promise<string | undefined> {
    const parts = request.toString('utf8').split('\0');
    const [service = '', user = '', token = '', rest] = parts;
    const time = new Date().toISOString();
    const rule = this.#deps.services[service];
    if (parts.length !== 4 || rest !== '' || !rule) {
      const record = this.#deps.log.add({
        time,
        service,
        user,
        accessKeyId: null,
        verdict: 'malformed',
        detail: rule ? 'request is not service\\0user\\0token\\0' : `unknown PAM service ${service}`,
        signatureFingerprint: null,
      });
      process.stderr.write(`${JSON.stringify(record)}\n`);
      return 'NO malformed\n';
    }
    const result = await checkToken({
      token,
      user,
      rule,
      findKey: (id) => this.#deps.keys.find(id),
      now: (this.#deps.now ?? (() => new Date()))(),
    });
    const record = this.#deps.log.add({
      time,
      service,
      user,
      accessKeyId: result.accessKeyId ?? null,
      verdict: result.verdict,
      detail: result.detail,
      signatureFingerprint: result.signature ? fingerprint(result.signature) : null,
    });
    // One line per login in the daemon's log, for whoever debugs a failed test (never the token).
    process.stderr.write(`${JSON.stringify(record)}\n`);
    if (result.verdict === 'hang-up') return undefined;
    return result.verdict === 'ok' ? 'OK\n' : `NO ${result.verdict}\n`;
  }
}
