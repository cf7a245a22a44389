import { spawn } from 'node:child_process';
import { open, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Layout } from './layout.js';
import { isOurs, readPid, terminate, waitFor } from './processes.js';
import { VerifierClient } from './verifier/client.js';
import type { VerifierConfig } from './verifier/config.js';

const MAIN = fileURLToPath(new URL('./verifier/main.ts', import.meta.url));

/** Starts the verifier daemon detached (it outlives this CLI) and waits until it answers. */
export async function launchVerifier(paths: Layout, config: VerifierConfig): Promise<VerifierClient> {
  // Holds the test keys: root only.
  await writeFile(paths.verifier.config, JSON.stringify(config), { mode: 0o600 });
  const log = await open(paths.verifier.log, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, paths.verifier.config, paths.verifier.pidFile], {
    cwd: paths.repoRoot,
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
  });
  child.unref();
  await log.close();
  let exited = false;
  child.once('exit', () => (exited = true));
  const client = new VerifierClient(config.controlSocket);
  await waitFor(
    `the verifier daemon (see ${paths.verifier.log})`,
    async () => (await client.health()).pamListening,
    15_000,
    () => (exited ? 'it exited during start-up' : undefined),
  );
  return client;
}

export async function stopVerifier(paths: Layout): Promise<void> {
  const pid = await readPid(paths.verifier.pidFile);
  if (pid !== undefined && (await isOurs(pid, MAIN))) await terminate(pid);
}
