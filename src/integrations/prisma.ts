import { loadConfigCached } from '../config/cached-load.js';
import type { ConnectOptions } from '../connect.js';
import { tlsPlanFor } from '../drivers/tls.js';
import { ConfigError } from '../errors.js';
import { tokenProviderFor } from '../token/token-provider.js';

const NO_MYSQL =
  "Prisma's MySQL engine has no mysql_clear_password plugin (prisma/orm#10304), so it cannot send an IAM token: " +
  'run `rdsiam proxy` and point Prisma at it, or run Prisma under `rdsiam exec` against PostgreSQL';

/**
 * The datasource URL for `prisma.config.ts` (`prisma migrate`, `db pull`, Studio) on PostgreSQL, with a fresh token.
 * Prisma's schema engine reads TLS from its own parameters, not libpq's: `sslmode=require` with `sslaccept=strict`
 * (checked chain and name; its default accepts any certificate) and `sslcert`, the CA file, which is written
 * to the user's cache dir since the engine takes no PEM text.
 */
export async function prismaDatasourceUrl(options: ConnectOptions = {}): Promise<string> {
  const config = await loadConfigCached(options);
  if (config.dsn.engine === 'mysql') {
    throw new ConfigError(
      [{ path: 'dsn', origin: config.origins['dsn'], message: NO_MYSQL }],
      'Cannot build a Prisma URL',
    );
  }
  // Loaded here, not with rdsiam: only this call and the CLI write client files.
  const [{ CA_FILE, clientFiles, clientTargetFor, connectionUrl }, { clientFilesDir, writeClientFiles }] =
    await Promise.all([import('../client/env.js'), import('../client/files.js')]);
  // Refuses a config without an IAM plugin before anything is written or signed.
  const provider = tokenProviderFor(config, options);
  const target = clientTargetFor(config, await tlsPlanFor(config));
  if (target.dialHost !== undefined) {
    const key = config.ssl.servername === undefined ? 'iam_host' : 'ssl.servername';
    throw new ConfigError(
      [
        {
          path: key,
          origin: config.origins[key],
          message:
            `the certificate must name ${target.host}, but the DSN dials ${target.dialHost}. Prisma checks the certificate ` +
            `against the host it dials and has no hostaddr: make ${target.host} resolve to the address you dial (e.g. an ` +
            '/etc/hosts entry for a tunnel) and use it as the DSN host',
        },
      ],
      'Cannot build a Prisma URL',
    );
  }
  const dir = await clientFilesDir(target, 'cached', options.env ?? process.env);
  await writeClientFiles(dir, clientFiles(target, dir), 'cached');
  const token = await provider.get();
  return connectionUrl(target, token.value.reveal(), [
    ['sslmode', 'require'],
    ['sslaccept', 'strict'],
    ['sslcert', `${dir}/${CA_FILE}`],
  ]);
}
