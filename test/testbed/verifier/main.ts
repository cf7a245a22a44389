// The verifier daemon: `node --import tsx test/testbed/verifier/main.ts <verifier.json>`, started
// detached by `testbed start`. It holds the test keys and answers every PAM login of the test bed.
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { VerifierConfig } from './config.js';
import { startControlApi } from './control-api.js';
import { KeyStore } from './key-store.js';
import { LoginLog } from './login-log.js';
import { PamListener } from './pam-listener.js';

const [configPath, pidFile] = process.argv.slice(2);
if (configPath === undefined || pidFile === undefined) {
  process.stderr.write('usage: main.ts <verifier.json> <pid file>\n');
  process.exit(2);
}
const config = JSON.parse(await readFile(configPath, 'utf8')) as VerifierConfig;
const keys = new KeyStore(config.keys);
const log = new LoginLog();
const pam = new PamListener({ socketPath: config.pamSocket, services: config.services, keys, log });
await pam.open();
const control = await startControlApi({ socketPath: config.controlSocket, keys, log, pam });
await writeFile(pidFile, `${process.pid}\n`);
process.stderr.write(`verifier: pid ${process.pid}, PAM socket ${config.pamSocket}\n`);

async function shutdown(pidPath: string): Promise<void> {
  control.close();
  await pam.close();
  await rm(config.controlSocket, { force: true });
  await rm(pidPath, { force: true });
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown(pidFile));
process.on('SIGINT', () => void shutdown(pidFile));
