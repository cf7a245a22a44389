import type { Layout } from './layout.js';
import { VerifierClient } from './verifier/client.js';
import type { VerifierConfig } from './verifier/config.js';
/** Starts the verifier daemon detached (it outlives this CLI) and waits until it answers. */
export declare function launchVerifier(paths: Layout, config: VerifierConfig): Promise<VerifierClient>;
export declare function stopVerifier(paths: Layout): Promise<void>;
