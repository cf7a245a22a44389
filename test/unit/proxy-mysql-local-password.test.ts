// The proxy's local password check for MySQL clients, against the replies mysql2's own client code computes (an
// implementation of each plugin that is not the proxy's): the right password passes, anything else does not.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import {
  CACHING_SHA2_PASSWORD,
  type LocalPasswordPlugin,
  localPasswordHashes,
  localPasswordMatches,
  NATIVE_PASSWORD,
} from '../../src/proxy/mysql-local-password.js';

// mysql2's exports map hides its plugins' files; the path reaches them.
const require = createRequire(import.meta.url);
const lib = join(dirname(require.resolve('mysql2')), 'lib');
const auth41 = require(join(lib, 'auth_41.js')) as { calculateToken(p: string, s1: Buffer, s2: Buffer): Buffer };
const sha2 = require(join(lib, 'auth_plugins/caching_sha2_password.js')) as {
  calculateToken(p: string, scramble: Buffer): Buffer;
};

const CLIENT_REPLY: Record<LocalPasswordPlugin, (password: string, scramble: Buffer) => Buffer> = {
  [NATIVE_PASSWORD]: (password, scramble) =>
    auth41.calculateToken(password, scramble.subarray(0, 8), scramble.subarray(8)),
  [CACHING_SHA2_PASSWORD]: (password, scramble) => sha2.calculateToken(password, scramble),
};

for (const plugin of [NATIVE_PASSWORD, CACHING_SHA2_PASSWORD] as const) {
  test(`${plugin}: the reply of a client that knows the password matches; a wrong password, scramble or length does not`, () => {
    const hashes = localPasswordHashes('local-Secret-1 ü');
    for (let i = 0; i < 20; i++) {
      const scramble = randomBytes(20);
      const reply = CLIENT_REPLY[plugin](`local-Secret-1 ü`, scramble);
      assert.equal(localPasswordMatches(hashes, plugin, scramble, reply), true);
      assert.equal(
        localPasswordMatches(hashes, plugin, scramble, CLIENT_REPLY[plugin]('local-Secret-2 ü', scramble)),
        false,
      );
      assert.equal(localPasswordMatches(hashes, plugin, randomBytes(20), reply), false);
      assert.equal(localPasswordMatches(hashes, plugin, scramble, reply.subarray(1)), false);
      assert.equal(localPasswordMatches(hashes, plugin, scramble, Buffer.alloc(0)), false);
    }
    // Each plugin's reply is checked as that plugin's only.
    const other = plugin === NATIVE_PASSWORD ? CACHING_SHA2_PASSWORD : NATIVE_PASSWORD;
    const scramble = randomBytes(20);
    assert.equal(
      localPasswordMatches(hashes, other, scramble, CLIENT_REPLY[plugin]('local-Secret-1 ü', scramble)),
      false,
    );
  });
}
