import { chmod, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { KeyPolicy } from './config.js';
import { keyProblem, type KeyStore } from './key-store.js';
import type { LoginLog, LoginQuery } from './login-log.js';
import type { PamListener } from './pam-listener.js';

/** JSON over HTTP on a root-only unix socket: only the test processes (root) may change policy. */
export async function startControlApi(deps: {
  socketPath: string;
  keys: KeyStore;
  log: LoginLog;
  pam: PamListener;
}): Promise<Server> {
  const { keys, log, pam } = deps;
  const server = createServer((req, res) => {
    route(req).then(
      ([status, body]) => send(res, status, body),
      (error: unknown) => send(res, 500, { error: String(error) }),
    );
  });

  async function route(req: IncomingMessage): Promise<[number, unknown]> {
    const url = new URL(req.url ?? '/', 'http://verifier');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/health') return [200, { pid: process.pid, pamListening: pam.listening }];
    if (req.method === 'POST' && path === '/keys') {
      const body: unknown = JSON.parse(await readBody(req));
      const problem = keyProblem(body);
      if (problem) return [400, { error: problem }];
      keys.put(body as KeyPolicy);
      return [204, undefined];
    }
    if (req.method === 'DELETE' && path.startsWith('/keys/')) {
      const found = keys.revoke(decodeURIComponent(path.slice('/keys/'.length)));
      return found ? [204, undefined] : [404, { error: 'no such key' }];
    }
    if (req.method === 'GET' && path === '/logins') {
      const q: LoginQuery = {};
      const p = url.searchParams;
      if (p.has('accessKeyId')) q.accessKeyId = p.get('accessKeyId') ?? '';
      if (p.has('service')) q.service = p.get('service') ?? '';
      if (p.has('user')) q.user = p.get('user') ?? '';
      if (p.has('afterSeq')) q.afterSeq = Number(p.get('afterSeq'));
      return [200, log.query(q)];
    }
    if (req.method === 'POST' && path === '/pam/close') {
      await pam.close();
      return [200, { pamListening: pam.listening }];
    }
    if (req.method === 'POST' && path === '/pam/open') {
      await pam.open();
      return [200, { pamListening: pam.listening }];
    }
    return [404, { error: `no route ${req.method ?? ''} ${path}` }];
  }

  await rm(deps.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.socketPath, resolve);
  });
  await chmod(deps.socketPath, 0o600);
  return server;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
