import type { TokenTarget } from '../../src/endpoint/target.js';
import { MemoryTokenCache } from '../../src/token/cache.js';
import type { CredentialsProvider } from '../../src/aws-credentials.js';
import type { TokenSigner } from '../../src/token/signers.js';
import type { TokenDeps } from '../../src/token/token-provider.js';
import { ManualClock } from './manual-clock.js';

/** Counts signings; each token names its target's host, port, user and region, and a serial number, so tests can tell them apart. */
export class CountingSigner implements TokenSigner {
  signings = 0;
  lifetimes: number[] = [];
  failWith: Error | undefined;

  async sign(target: TokenTarget, lifetimeSeconds: number): Promise<string> {
    this.signings++;
    this.lifetimes.push(lifetimeSeconds);
    if (this.failWith) throw this.failWith;
    return `${target.host}:${target.port}/?DBUser=${target.user}&region=${target.region}&X-Amz-Signature=secret${this.signings}`;
  }
}

export type TestTokenDeps = TokenDeps & {
  clock: ManualClock;
  signer: CountingSigner;
  credentials: CredentialsProvider;
};

/** What a token provider is given in one test: its own manual clock, a token cache on it, a counting signer, and `credentials`. */
export function tokenDeps(credentials: CredentialsProvider): TestTokenDeps {
  const clock = new ManualClock();
  return { clock, cache: new MemoryTokenCache({ clock }), signer: new CountingSigner(), credentials };
}
