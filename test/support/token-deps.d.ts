import type { TokenTarget } from '../../src/endpoint/target.js';
import type { CredentialsProvider } from '../../src/aws-credentials.js';
import type { TokenSigner } from '../../src/token/signers.js';
import type { TokenDeps } from '../../src/token/token-provider.js';
import { ManualClock } from './manual-clock.js';
/** Counts signings; each token names its target's host, port, user and region, and a serial number, so tests can tell them apart. */
export declare class CountingSigner implements TokenSigner {
    signings: number;
    lifetimes: number[];
    failWith: Error | undefined;
    sign(target: TokenTarget, lifetimeSeconds: number): Promise<string>;
}
export type TestTokenDeps = TokenDeps & {
    clock: ManualClock;
    signer: CountingSigner;
    credentials: CredentialsProvider;
};
/** What a token provider is given in one test: its own manual clock, a token cache on it, a counting signer, and `credentials`. */
export declare function tokenDeps(credentials: CredentialsProvider): TestTokenDeps;
