import { access, readFile } from 'node:fs/promises';
import { randomCredentials } from '../testbed/keys.js';
import { layout } from '../testbed/layout.js';
import { readState, type TestbedState, type TestCredentials } from '../testbed/state.js';
import { VerifierClient } from '../testbed/verifier/client.js';
import type { KeyPolicy } from '../testbed/verifier/config.js';

export { mysqlOptions, pgOptions } from '../testbed/connect-options.js';
export type { LoginRecord } from '../testbed/verifier/login-log.js';
export type { TestCredentials } from '../testbed/state.js';

/** What an integration test gets: the connection facts, the CA, and the verifier's control client. */
export interface Testbed extends Omit<TestbedState, 'verifier'> {
  stateFile: string;
  /** The test CA certificate (PEM text), for `ssl: { ca }`. */
  caPem: string;
  verifier: VerifierClient;
  /** The verifier daemon's log: one JSON line per login (never a token). */
  verifierLog: string;
  /** The socket pam_rdsiam talks to, for tests of the verifier's own protocol. */
  pamSocket: string;
  /**
   * Registers fresh random credentials with the verifier, with their own policy, so a test can count
   * its own logins and tighten limits without disturbing tests running in parallel.
   */
  newKey(
    options?: { kind?: 'long-term' | 'temporary' } & Omit<KeyPolicy, keyof TestCredentials>,
  ): Promise<TestCredentials>;
}

let loaded: Promise<Testbed> | undefined;

/**
 * The running test bed, or undefined after a loud `t.skip` when it is deliberately off
 * (`TESTBED=skip`, set by `npm test` when not root). In CI a missing test bed throws:
 * integration tests must never pass by skipping there.
 */
export async function requireTestbed(t: { skip(message?: string): void }): Promise<Testbed | undefined> {
  const found = await testbedOrReason();
  if (typeof found === 'string') t.skip(`*** SKIPPED: ${found} ***`);
  return typeof found === 'string' ? undefined : found;
}

/**
 * The running test bed, or undefined, without skipping: for a `before` hook that sets up what its tests share. Each
 * of those tests still begins with `requireTestbed(t)`, the one way a test skips.
 */
export async function findTestbed(): Promise<Testbed | undefined> {
  const found = await testbedOrReason();
  return typeof found === 'string' ? undefined : found;
}

async function testbedOrReason(): Promise<Testbed | string> {
  if (process.env.TESTBED === 'skip') return 'TESTBED=skip, no local IAM test bed (run `npm test` as root)';
  const file = process.env.TESTBED_FILE ?? (await defaultStateFile());
  if (file === undefined) {
    const reason =
      'no TESTBED_FILE and no running test bed: run tests with `npm test`, or `npm run testbed:start` first';
    if (/^(1|true)$/i.test(process.env.CI ?? '')) throw new Error(`rdsiam integration tests in CI: ${reason}`);
    return reason;
  }
  loaded ??= load(file);
  return loaded;
}

/** Lets `node --test` on a single file find a test bed started by `npm run testbed:start`. */
async function defaultStateFile(): Promise<string | undefined> {
  const { stateFile } = layout();
  return access(stateFile).then(
    () => stateFile,
    () => undefined,
  );
}

async function load(stateFile: string): Promise<Testbed> {
  const { verifier: paths, ...facts } = await readState(stateFile);
  const verifier = new VerifierClient(paths.controlSocket);
  return {
    ...facts,
    stateFile,
    caPem: await readFile(facts.ca, 'utf8'),
    verifier,
    verifierLog: paths.log,
    pamSocket: paths.pamSocket,
    async newKey({ kind = 'long-term', ...policy } = {}) {
      const credentials = randomCredentials(kind);
      await verifier.addKey({ ...credentials, ...policy });
      return credentials;
    },
  };
}
