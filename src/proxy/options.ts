import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { envValue, PROXY_PASSWORD_VARIABLE } from '../config/env.js';
import { RdsIamError } from '../errors.js';
import { ipVersion } from '../ip.js';
import { Secret } from '../secret.js';

/** A proxy command line that cannot be served as given: exit code 2, like a config error. */
export class ProxyUsageError extends RdsIamError {
  override name = 'ProxyUsageError';
  override readonly code = 'RDSIAM_PROXY_USAGE';
}

export interface HostPort {
  host: string;
  port: number;
}

/** `rdsiam proxy`'s own flags, as node:util parseArgs gives them. */
export interface ProxyFlags {
  listen?: string;
  'unix-socket'?: string;
  'password-file'?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  'max-connections'?: string;
  'idle-timeout-s'?: string;
  'max-sigterm-delay-s'?: string;
  'health-check'?: string;
  json?: boolean;
}

export interface ProxyOptions {
  /** Undefined: 127.0.0.1 on the DSN's port (or only the Unix socket, when one is asked for). */
  listen: HostPort | undefined;
  unixSocketDir: string | undefined;
  /** The password clients must give; none on loopback means any password, or none, is accepted. */
  password: Secret | undefined;
  /** Certificate and key for TLS toward clients. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  maxConnections: number | undefined;
  idleTimeoutMs: number | undefined;
  sigtermDelayMs: number;
  healthCheck: HostPort | undefined;
  json: boolean;
}

export const DEFAULT_SIGTERM_DELAY_S = 10;

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const version = ipVersion(host);
  if (version === 4) return host.startsWith('127.');
  return version === 6 && (host === '::1' || /^::ffff:127\./i.test(host));
}

/** `HOST:PORT`, `[IPv6]:PORT`; port 0 picks a free one. */
export function parseHostPort(flag: string, text: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || !host || port > 65535) {
    throw new ProxyUsageError(`--${flag} takes HOST:PORT (e.g. 127.0.0.1:5432, [::1]:0), got "${text}"`);
  }
  return { host, port };
}

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ProxyUsageError(`--${flag} takes a whole number, got "${text}"`);
  return Number(text);
}

async function readSecretFile(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new ProxyUsageError(`cannot read --${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

async function localPassword(flags: ProxyFlags, env: Record<string, string | undefined>, cwd: string) {
  const file = flags['password-file'];
  if (file !== undefined) {
    // One line; the newline an editor or `echo` adds is not part of it.
    const text = (await readSecretFile('password-file', resolve(cwd, file))).toString('utf8').replace(/\r?\n$/, '');
    if (text === '') throw new ProxyUsageError(`--password-file ${file} is empty`);
    return new Secret(text);
  }
  const fromEnv = envValue(env, PROXY_PASSWORD_VARIABLE);
  return fromEnv === undefined ? undefined : new Secret(fromEnv);
}

/** Checks the flags against each other and reads the files they name. */
export async function proxyOptions(
  flags: ProxyFlags,
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<ProxyOptions> {
  const listen = flags.listen === undefined ? undefined : parseHostPort('listen', flags.listen);
  const password = await localPassword(flags, env, cwd);
  const certFile = flags['tls-cert'];
  const keyFile = flags['tls-key'];
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ProxyUsageError('--tls-cert and --tls-key go together: give both, or neither');
  }
  const tls =
    certFile === undefined || keyFile === undefined
      ? undefined
      : {
          cert: await readSecretFile('tls-cert', resolve(cwd, certFile)),
          key: await readSecretFile('tls-key', resolve(cwd, keyFile)),
        };
  if (listen !== undefined && !isLoopback(listen.host) && (password === undefined || tls === undefined)) {
    throw new ProxyUsageError(
      `--listen ${flags.listen} is reachable from other machines, so it needs a local password ` +
        `(--password-file FILE or ${PROXY_PASSWORD_VARIABLE}) and TLS toward clients (--tls-cert and --tls-key); ` +
        `missing: ${[password === undefined && 'a password', tls === undefined && 'TLS'].filter(Boolean).join(' and ')}. ` +
        'Or listen on 127.0.0.1.',
    );
  }
  const idle = count('idle-timeout-s', flags['idle-timeout-s']);
  const maxConnections = count('max-connections', flags['max-connections']);
  return {
    listen,
    unixSocketDir: flags['unix-socket'] === undefined ? undefined : resolve(cwd, flags['unix-socket']),
    password,
    tls,
    maxConnections: maxConnections === 0 ? undefined : maxConnections,
    idleTimeoutMs: idle === undefined || idle === 0 ? undefined : idle * 1000,
    sigtermDelayMs: (count('max-sigterm-delay-s', flags['max-sigterm-delay-s']) ?? DEFAULT_SIGTERM_DELAY_S) * 1000,
    healthCheck: flags['health-check'] === undefined ? undefined : parseHostPort('health-check', flags['health-check']),
    json: flags.json === true,
  };
}
