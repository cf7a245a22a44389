// A connect that fails before authentication completes must close its socket: otherwise the server holds it
// until its authentication timeout and the process cannot exit. Its own file, so no other test's sockets count.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { CredentialsError, connectFromConfig } from '../../src/index.js';
import { requireTestbed } from '../support/testbed.js';
import { testbedOptions, type Server } from '../support/testbed-config.js';

const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length;

describe('no socket left behind', () => {
  for (const server of ['postgres', 'mysql'] as const satisfies readonly Server[]) {
    test(`${server}: a connect that fails on its credentials closes its socket`, { timeout: 15_000 }, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      await sleep(200);
      const before = sockets();
      const options = testbedOptions(tb, server, async () => {
        throw new Error('no credentials here');
      });
      await assert.rejects(() => connectFromConfig(options), CredentialsError);
      // Let the close reach the event loop.
      await sleep(300);
      assert.equal(sockets(), before, 'the failed connection is closed, not left for the server to time out');
    });
  }
});
