// The proxy's COM_CHANGE_USER guard on hand-made packet streams, cut at every byte: which packets it takes out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeUserGuard } from '../../src/proxy/mysql-command-guard.js';
import { packet } from '../../src/proxy/mysql-packets.js';

/** Runs `stream` through a fresh guard in chunks of `size` bytes; what passed and how often it refused. */
function guarded(stream: Buffer, size: number): { passed: Buffer; refusals: number } {
  let refusals = 0;
  const guard = changeUserGuard(() => refusals++);
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; at += size) out.push(guard(stream.subarray(at, at + size)));
  return { passed: Buffer.concat(out), refusals };
}

const query = packet(0, Buffer.from('\x03select 1', 'latin1'));
const changeUser = packet(0, Buffer.from('\x11other\0\0', 'latin1'));
const ping = packet(0, Buffer.from([0x0e]));

test('a COM_CHANGE_USER command is taken out and refused; the commands around it pass, however the bytes are cut', () => {
  const stream = Buffer.concat([query, changeUser, ping]);
  for (let size = 1; size <= stream.length; size++) {
    const { passed, refusals } = guarded(stream, size);
    assert.deepEqual(passed, Buffer.concat([query, ping]), `chunks of ${size}`);
    assert.equal(refusals, 1, `chunks of ${size}`);
  }
});

test('a LOAD DATA LOCAL upload passes whole, even where its sequence ids wrap to 0 on a 0x11 byte', () => {
  // The server asked for the file after the query (its packet 1); the client sends packets 2, 3, ... then an empty one.
  const data = Array.from({ length: 300 }, (_, i) => packet(i + 2, Buffer.from([0x11, i & 0xff])));
  const stream = Buffer.concat([query, ...data, packet(302, Buffer.alloc(0)), changeUser, ping]);
  for (const size of [1, 3, 7, 4096]) {
    const { passed, refusals } = guarded(stream, size);
    assert.deepEqual(passed, Buffer.concat([query, ...data, packet(302, Buffer.alloc(0)), ping]), `chunks of ${size}`);
    assert.equal(refusals, 1, `chunks of ${size}: only the command after the upload`);
  }
});

test('the rest of a 16 MB command is neither a command nor an upload', () => {
  const long = packet(0, Buffer.concat([Buffer.from([0x03]), Buffer.alloc(0xffffff - 1, 0x20)]));
  const rest = packet(1, Buffer.from([0x11, 0x11]));
  const { passed, refusals } = guarded(Buffer.concat([long, rest, changeUser, ping]), 65536);
  assert.equal(refusals, 1, 'the command after it is still seen');
  assert.ok(passed.equals(Buffer.concat([long, rest, ping])));
});

test('a chunk with nothing taken out passes as the same Buffer (no copy), one cut mid-header up to the cut', () => {
  const guard = changeUserGuard(() => assert.fail('nothing to refuse'));
  const stream = Buffer.concat([query, ping, query]);
  assert.equal(guard(stream), stream);
  const cut = query.length + 2;
  assert.equal(guard(stream.subarray(0, cut)).buffer, stream.buffer, 'the part before the cut is not copied');
  assert.deepEqual(guard(stream.subarray(cut)), stream.subarray(query.length));
});

test('a 16 MB COM_CHANGE_USER is taken out with its continuation', () => {
  const long = packet(0, Buffer.concat([Buffer.from([0x11]), Buffer.alloc(0xffffff - 1, 0x20)]));
  const rest = packet(1, Buffer.from([0x03, 0x03]));
  const { passed, refusals } = guarded(Buffer.concat([long, rest, ping]), 65536);
  assert.equal(refusals, 1);
  assert.ok(passed.equals(ping));
});
