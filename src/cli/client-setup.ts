import { createHash, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { tlsPlanFor } from '../drivers/tls.js';
import { EndpointError } from '../errors.js';
import { tokenProviderFor, type IssuedToken } from '../token/token-provider.js';
import { clientEnv, clientFiles, clientTargetFor, type ClientEnv, type ClientTarget } from './client-env.js';
import { loadOptions, type CliIo, type ConfigFlags } from './io.js';
import { ipVersion } from '../ip.js';

/** A fresh token and everything a client needs to use it, with its files written. */
export interface ClientSetup {
  target: ClientTarget;
  token: IssuedToken;
  env: ClientEnv;
  /** Removes the files when they were written for one command; nothing for cached ones. */
  dispose(): Promise<void>;
}

/**
 * `temporary`: files in a new private directory that `dispose()` removes (`rdsiam exec`). `cached`: files
 * that outlive the command (`token --url|--env` print their paths), kept by content in the user's cache dir.
 */
type FilePlacement = 'temporary' | 'cached';

export async function setUpClient(io: CliIo, flags: ConfigFlags, placement: FilePlacement): Promise<ClientSetup> {
  const config = await loadConfig(loadOptions(io, flags));
  // Refuses a config without an IAM plugin or with a bad endpoint first; signing waits until the client is sure.
  const provider = tokenProviderFor(config, io.tokenDeps);
  const target = clientTargetFor(config, await tlsPlanFor(config));
  const token = await provider.get();
  const hostaddr = target.dialHost === undefined ? undefined : await addressOf(target.dialHost);

  const dir =
    placement === 'temporary'
      ? await mkdtemp(join(tmpdir(), 'rdsiam-exec-'))
      : join(
          cacheRoot(io.env),
          `client-${createHash('sha256').update(JSON.stringify(target)).digest('hex').slice(0, 16)}`,
        );
  const dispose = placement === 'temporary' ? () => rm(dir, { recursive: true, force: true }) : async () => {};
  try {
    await writeFiles(dir, clientFiles(target, dir), placement);
    const dsn = config.origins['dsn'];
    const env = clientEnv({
      target,
      token: token.value.reveal(),
      dir,
      ...(hostaddr === undefined ? {} : { hostaddr }),
      inherited: io.env,
      dsnFromDatabaseUrl: dsn?.kind === 'env' && dsn.variable === 'DATABASE_URL',
    });
    return { target, token, env, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** libpq's PGHOSTADDR takes a numeric address only. */
async function addressOf(host: string): Promise<string> {
  if (ipVersion(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (err) {
    throw new EndpointError(
      `Cannot resolve the DSN host ${host} to an address for libpq's PGHOSTADDR (the certificate is checked against ` +
        `the endpoint name in PGHOST): ${(err as Error).message}`,
    );
  }
}

function cacheRoot(env: Record<string, string | undefined>): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'rdsiam');
}

/** Mode 0600 in a 0700 directory. Cached files are replaced atomically: another command may be reading them. */
async function writeFiles(dir: string, files: Record<string, string>, placement: FilePlacement): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    if (placement === 'temporary') {
      await writeFile(path, content, { mode: 0o600, flag: 'wx' });
      continue;
    }
    const staging = `${path}.${randomUUID()}.tmp`;
    await writeFile(staging, content, { mode: 0o600 });
    await chmod(staging, 0o600);
    await rename(staging, path);
  }
}
