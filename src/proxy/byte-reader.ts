import type { Duplex } from 'node:stream';

interface Waiting {
  n: number;
  resolve(bytes: Buffer): void;
  reject(err: Error): void;
}

/**
 * Exact-length reads from a socket during a handshake; `release()` then hands the socket over for relaying, with
 * whatever arrived but was not read yet.
 */
export class ByteReader {
  readonly #socket: Duplex;
  #chunks: Buffer[] = [];
  #length = 0;
  #waiting: Waiting | undefined;
  #failure: Error | undefined;

  constructor(socket: Duplex) {
    this.#socket = socket;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
    socket.on('error', this.#onError);
  }

  read(n: number): Promise<Buffer> {
    if (this.#length >= n) return Promise.resolve(this.#take(n));
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting = { n, resolve, reject };
    });
  }

  /** Stops reading (the socket is paused) and returns the bytes received but not read. */
  release(): Buffer {
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    this.#socket.off('error', this.#onError);
    this.#socket.pause();
    return this.#take(this.#length);
  }

  #take(n: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#length);
    this.#chunks = n < all.length ? [all.subarray(n)] : [];
    this.#length -= n;
    return all.subarray(0, n);
  }

  #onData = (chunk: Buffer): void => {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    const waiting = this.#waiting;
    if (waiting && this.#length >= waiting.n) {
      this.#waiting = undefined;
      waiting.resolve(this.#take(waiting.n));
    }
  };

  #fail(err: Error): void {
    this.#failure ??= err;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(this.#failure);
  }

  // ECONNRESET, as a socket reports a peer that hung up: a database that restarts mid-handshake is tried again.
  #onEnd = (): void =>
    this.#fail(Object.assign(new Error('the connection closed during the handshake'), { code: 'ECONNRESET' }));
  #onError = (err: Error): void => this.#fail(err);
}
