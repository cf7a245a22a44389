import { testbedCli } from '../testbed/cli-process.mjs';
import { ensureRequirements, TestbedNotReadyError } from '../testbed/requirements.js';
import { requireTestbed, type Testbed } from './testbed.js';

/**
 * For scripts outside `npm test` (the demo, the benchmarks): the running test bed, or one started now.
 * `release()` stops it only if this call started it, so a shared test bed is left running. Throws
 * TestbedNotReadyError (the scripts exit 2) when the machine lacks packages and they may not be installed here.
 */
export async function ensureTestbed(who: string): Promise<{ tb: Testbed; startedHere: boolean; release(): void }> {
  let startedHere = false;
  if (testbedCli('status', { quiet: true }).code !== 0) {
    if (process.getuid?.() !== 0) {
      await ensureRequirements(() => {}); // not root, so it installs nothing: it says what to install first
      throw new Error(
        `the test bed starts its own PostgreSQL and MariaDB servers and a PAM module: run \`sudo npm run ${who}\``,
      );
    }
    const start = testbedCli('start');
    if (start.code === 2)
      throw new TestbedNotReadyError('the test bed cannot start on this machine; see the line above');
    if (start.code !== 0) throw new Error('the test bed did not start; see the lines above');
    startedHere = true;
  }
  const tb = await requireTestbed({ skip: (why) => void console.log(why) });
  if (!tb) throw new Error('no test bed');
  return { tb, startedHere, release: () => void (startedHere && testbedCli('stop')) };
}
