import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import { ipVersion } from '../../src/ip.js';

test('ipVersion answers as net.isIP does, for addresses and names alike', () => {
  const inputs = [
    '10.0.0.5',
    '127.0.0.1',
    '::1',
    'fe80::1%eth0',
    '::ffff:10.0.0.1',
    '2001:db8::8a2e:370:7334',
    '1.2.3',
    '999.1.1.1',
    '1.2.3.4.5',
    'localhost',
    'db.cluster-abc.us-east-1.rds.amazonaws.com',
    '',
    '[::1]',
    'abc:def',
    '12345',
    '1..2.3',
  ];
  for (const input of inputs) assert.equal(ipVersion(input), isIP(input), input);
});
