import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { CLI_NODE_ARGS } from '../support/cli.js';
import { NO_CONFIG_DIR } from '../support/projects.js';

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
