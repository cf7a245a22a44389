import { TOKEN_LIFETIME_S } from '../config/keys.js';
import type { TokenTarget } from '../endpoint/target.js';
import type { CredentialsProvider } from './credentials.js';

/** Produces one IAM auth token for a target. Injectable: tests and benchmarks pass their own. */
export interface TokenSigner {
  /** `lifetimeSeconds` is how long the caller will serve the token; signers that can, sign for at least that. */
  sign(target: TokenTarget, lifetimeSeconds: number): Promise<string>;
}

// A DSQL token is signed to outlive its time in the cache by this much, so the last connect that uses it
// still has time to finish its handshake.
const DSQL_LIFETIME_MARGIN_S = 60;

interface SdkSigner {
  sign(): Promise<string>;
}

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
    let signer = this.#signers.get(key);
    if (signer === undefined) {
      signer = this.#build(target, expiresIn);
      this.#signers.set(key, signer);
      signer.catch(() => this.#signers.delete(key));
    }
    return (await signer).sign();
  }

  async #build(target: TokenTarget, expiresIn: number): Promise<SdkSigner> {
    const credentials = this.#credentials;
    if (target.plugin === 'iam') {
      const { Signer } = await import('@aws-sdk/rds-signer');
      const signer = new Signer({
        credentials,
        hostname: target.host,
        port: target.port,
        region: target.region,
        username: target.user,
      });
      return { sign: () => signer.getAuthToken() };
    }
    const { DsqlSigner } = await import('@aws-sdk/dsql-signer');
    const signer = new DsqlSigner({ credentials, hostname: target.host, region: target.region, expiresIn });
    // DSQL's `admin` role has its own action (DbConnectAdmin); every other role uses DbConnect.
    return target.user === 'admin'
      ? { sign: () => signer.getDbConnectAdminAuthToken() }
      : { sign: () => signer.getDbConnectAuthToken() };
  }
}
