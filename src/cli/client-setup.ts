import { lookup } from 'node:dns/promises';
import { rm } from 'node:fs/promises';
import { loadConfig } from '../config/load.js';
import { tlsPlanFor } from '../drivers/tls.js';
import { EndpointError } from '../errors.js';
import { tokenProviderFor, type IssuedToken } from '../token/token-provider.js';
import { clientFilesDir, writeClientFiles, type FilePlacement } from '../client/files.js';
import { clientEnv, clientFiles, clientTargetFor, type ClientEnv, type ClientTarget } from '../client/env.js';
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

export async function setUpClient(io: CliIo, flags: ConfigFlags, placement: FilePlacement): Promise<ClientSetup> {
  const config = await loadConfig(loadOptions(io, flags));
  // Refuses a config without an IAM plugin or with a bad endpoint first; signing waits until the client is sure.
  const provider = tokenProviderFor(config, io.tokenDeps);
  const target = clientTargetFor(config, await tlsPlanFor(config));
  const token = await provider.get();
  const hostaddr = target.dialHost === undefined ? undefined : await addressOf(target.dialHost);

  const dir = await clientFilesDir(target, placement, io.env);
  const dispose = placement === 'temporary' ? () => rm(dir, { recursive: true, force: true }) : async () => {};
  try {
    await writeClientFiles(dir, clientFiles(target, dir), placement);
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
