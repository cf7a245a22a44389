import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { MemoryTokenCache } from '../../src/token/cache.js';
import { CLI_NODE_ARGS } from '../support/cli.js';
import { collect } from '../support/events.js';
import { ManualClock } from '../support/manual-clock.js';
import { NO_CONFIG_DIR } from '../support/projects.js';
import { testbedEnv } from '../support/testbed-config.js';
import type { Testbed } from '../support/testbed.js';

/** A real `rdsiam proxy` process. */
export interface ProxyProcess {
  pid: number;
  /** The port of the first ready line (0 for a Unix socket). */
  port: number;
  /** Every ready line. */
  ready: string[];
  stderr(): string;
  /** The JSON event lines written so far (with --json). */
  events(): Record<string, unknown>[];
  /** SIGTERM, then its exit code. */
  stop(): Promise<number>;
}

const READY = /^rdsiam proxy: listening on (\S+?)(?::(\d+))? -> /;

/** Starts `rdsiam proxy` with `argv` and only `env` (plus PATH), and waits for `readyLines` ready lines. */
export function startProxy(argv: string[], env: Record<string, string>, readyLines = 1): Promise<ProxyProcess> {
  const child = spawn(process.execPath, [...CLI_NODE_ARGS, 'proxy', ...argv], {
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env },
    cwd: NO_CONFIG_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? 15 : 0))),
  );
  child.stderr.setEncoding('utf8').on('data', (t: string) => void (err += t));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      out += t;
      const ready = out.split('\n').filter((l) => READY.test(l));
      if (ready.length < readyLines) return;
      resolve({
        pid: child.pid ?? 0,
        port: Number(READY.exec(ready[0]!)![2] ?? 0),
        ready,
        stderr: () => err,
        events: () =>
          err
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        stop: () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`rdsiam proxy exited ${code} before it was ready:\n${out}${err}`)));
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => void (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** Asks `check` every 100 ms until it gives something, for up to 20 s (a hang guard, not a timing claim). */
export async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = await check();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * Tokens rotate through the proxy: an in-process proxy on a manual clock; two clients share one signed token, and a
 * client after the token's lifetime gets a freshly signed one that the database accepts.
 */
export async function assertTokensRotate(
  t: { after(fn: () => void): void },
  tb: Testbed,
  engine: 'postgres' | 'mysql',
  connectOnce: (port: number) => Promise<void>,
): Promise<void> {
  const key = await tb.newKey();
  const clock = new ManualClock(Date.now());
  let out = '';
  const signed = collect('rdsiam:token:signed');
  t.after(() => signed.stop());
  const running = main(['proxy', '--listen', '127.0.0.1:0'], {
    out: (text) => void (out += text),
    err: () => {},
    env: testbedEnv(tb, engine, key),
    cwd: NO_CONFIG_DIR,
    tokenDeps: { clock, cache: new MemoryTokenCache({ clock }), credentials: async () => key },
  });
  const port = Number(await until('the ready line', async () => /127\.0\.0\.1:(\d+)/.exec(out)?.[1]));
  await connectOnce(port);
  await connectOnce(port);
  assert.equal(signed.events.length, 1, 'the second client reuses the cached token');
  clock.advance(16 * 60_000);
  await connectOnce(port);
  assert.equal(signed.events.length, 2, 'after the lifetime a new token is signed');
  const logins = await tb.verifier.logins({ accessKeyId: key.accessKeyId });
  assert.deepEqual(
    logins.map((l) => l.verdict),
    ['ok', 'ok', 'ok'],
  );
  process.emit('SIGTERM');
  assert.equal(await running, 0);
}
