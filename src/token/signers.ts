import { TOKEN_LIFETIME_S, type PluginCode } from '../aws-facts.js';
import type { TokenTarget } from '../endpoint/target.js';
import type { CredentialsProvider } from '../aws-credentials.js';
import { lazyPackage } from '../optional-package.js';
import { getOrCreate } from '../single-flight.js';

/** Produces one IAM auth token for a target. Injectable: tests and benchmarks pass their own. */
export interface TokenSigner {
  /** `lifetimeSeconds` is how long the caller will serve the token; signers that can, sign for at least that. */
  sign(target: TokenTarget, lifetimeSeconds: number): Promise<string>;
  /** Starts loading what signing with `plugin` needs, without signing: a driver overlaps it with opening its socket. */
  warm?(plugin: PluginCode): void;
}

// A DSQL token is signed to outlive its time in the cache by this much, so the last connect that uses it
// still has time to finish its handshake.
const DSQL_LIFETIME_MARGIN_S = 60;

interface SdkSigner {
  sign(): Promise<string>;
}

const loadRdsSigner = lazyPackage(
  (p) => p.rdsSigner(),
  () => import('@aws-sdk/rds-signer'),
);
const loadDsqlSigner = lazyPackage(
  (p) => p.dsqlSigner(),
  () => import('@aws-sdk/dsql-signer'),
);

/**
 * Signs with `@aws-sdk/rds-signer` (plugin `iam`) or `@aws-sdk/dsql-signer` (`iam_dsql`), every signer using the
 * one shared credentials provider. One SDK signer is built per target and reused, never one per token.
 */
export class SdkTokenSigner implements TokenSigner {
  readonly #credentials: CredentialsProvider;
  readonly #signers = new Map<string, Promise<SdkSigner>>();

  constructor(credentials: CredentialsProvider) {
    this.#credentials = credentials;
  }

  async sign(target: TokenTarget, lifetimeSeconds: number): Promise<string> {
    const expiresIn = Math.min(TOKEN_LIFETIME_S.iam_dsql, Math.ceil(lifetimeSeconds) + DSQL_LIFETIME_MARGIN_S);
    const key =
      target.plugin === 'iam'
        ? `iam|${target.region}|${target.host}|${target.port}|${target.user}`
        : `iam_dsql|${target.region}|${target.host}|${target.user === 'admin' ? 'admin' : 'user'}|${expiresIn}`;
    const signer = await getOrCreate(this.#signers, key, () => this.#build(target, expiresIn), 'fulfilled');
    return signer.sign();
  }

  /** Loads the SDK signer (which brings the credential providers): most of what a process's first token costs. */
  warm(plugin: PluginCode): void {
    // A failed load is reported by sign(); here it must only not go unhandled.
    (plugin === 'iam' ? loadRdsSigner() : loadDsqlSigner()).catch(() => undefined);
  }

  async #build(target: TokenTarget, expiresIn: number): Promise<SdkSigner> {
    const credentials = this.#credentials;
    if (target.plugin === 'iam') {
      const { Signer } = await loadRdsSigner();
      const signer = new Signer({
        credentials,
        hostname: target.host,
        port: target.port,
        region: target.region,
        username: target.user,
      });
      return { sign: () => signer.getAuthToken() };
    }
    const { DsqlSigner } = await loadDsqlSigner();
    const signer = new DsqlSigner({ credentials, hostname: target.host, region: target.region, expiresIn });
    // DSQL's `admin` role has its own action (DbConnectAdmin); every other role uses DbConnect.
    return target.user === 'admin'
      ? { sign: () => signer.getDbConnectAdminAuthToken() }
      : { sign: () => signer.getDbConnectAuthToken() };
  }
}
