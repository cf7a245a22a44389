import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseEndpoint } from '../../src/endpoint/rds-host.js';
import { isRegion, regionProblem } from '../../src/region.js';
import type { EndpointKind, Partition } from '../../src/endpoint/rds-host.js';

type Row = [host: string, kind: EndpointKind, region: string | null, partition: Partition | null];

const classified: Row[] = [
  // Every kind, in the commercial partition.
  ['mydb.c9akciq32.us-east-1.rds.amazonaws.com', 'instance', 'us-east-1', 'aws'],
  ['app.cluster-c9akciq32.eu-west-1.rds.amazonaws.com', 'cluster', 'eu-west-1', 'aws'],
  ['app.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com', 'cluster-ro', 'eu-west-1', 'aws'],
  ['reports.cluster-custom-c9akciq32.eu-west-1.rds.amazonaws.com', 'cluster-custom', 'eu-west-1', 'aws'],
  ['myproxy.proxy-c9akciq32.us-west-2.rds.amazonaws.com', 'proxy', 'us-west-2', 'aws'],
  ['readers.endpoint.proxy-c9akciq32.us-west-2.rds.amazonaws.com', 'proxy', 'us-west-2', 'aws'],
  ['lim.shardgrp-c9akciq32.us-east-2.rds.amazonaws.com', 'limitless', 'us-east-2', 'aws'],
  ['app.global-abc123xyz.global.rds.amazonaws.com', 'global', null, 'aws'],
  ['abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws', 'dsql', 'us-east-1', 'aws'],
  ['abcdefghijklmnopqrstuvwxyz.dsql-fnh4.us-east-1.on.aws', 'dsql', 'us-east-1', 'aws'],
  // Regions by shape: new ones and the one a peer's list rejects.
  ['mydb.c9akciq32.ap-southeast-7.rds.amazonaws.com', 'instance', 'ap-southeast-7', 'aws'],
  ['mydb.c9akciq32.mx-central-1.rds.amazonaws.com', 'instance', 'mx-central-1', 'aws'],
  ['mydb.c9akciq32.il-central-1.rds.amazonaws.com', 'instance', 'il-central-1', 'aws'],
  // Other partitions.
  ['mydb.c9akciq32.us-gov-west-1.rds.amazonaws.com', 'instance', 'us-gov-west-1', 'aws-us-gov'],
  ['app.cluster-c9akciq32.us-gov-east-1.rds.amazonaws.com', 'cluster', 'us-gov-east-1', 'aws-us-gov'],
  ['mydb.c9akciq32.rds.cn-north-1.amazonaws.com.cn', 'instance', 'cn-north-1', 'aws-cn'],
  ['mydb.c9akciq32.cn-northwest-1.rds.amazonaws.com.cn', 'instance', 'cn-northwest-1', 'aws-cn'],
  ['app.cluster-ro-c9akciq32.rds.cn-northwest-1.amazonaws.com.cn', 'cluster-ro', 'cn-northwest-1', 'aws-cn'],
  ['mydb.c9akciq32.rds.us-iso-east-1.c2s.ic.gov', 'instance', 'us-iso-east-1', 'aws-iso'],
  ['mydb.c9akciq32.rds.us-isob-east-1.sc2s.sgov.gov', 'instance', 'us-isob-east-1', 'aws-iso-b'],
  ['mydb.c9akciq32.eusc-de-east-1.rds.amazonaws.eu', 'instance', 'eusc-de-east-1', 'aws-eusc'],
  // IP literals.
  ['10.0.0.12', 'ip', null, null],
  ['8.8.8.8', 'ip', null, null],
  ['::1', 'ip', null, null],
  ['2001:db8::1', 'ip', null, null],
  // Custom domains and other names.
  ['localhost', 'other', null, null],
  ['db.example.com', 'other', null, null],
  ['a.b', 'other', null, null],
  ['', 'other', null, null],
  // Names that only contain an RDS suffix, or have the wrong number of labels before it.
  ['x.abc.us-east-1.rds.amazonaws.com.evil.com', 'other', null, null],
  ['abc.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['a.b.c.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['mydb.c9akciq32.useast1.rds.amazonaws.com', 'other', null, null],
  ['mydb.c9akciq32.us-east-1.rds.amazonaws.org', 'other', null, null],
  ['mydb.c9akciq32.us-east-1.rds.amazonaws.com.cn', 'other', null, null],
  ['mydb.c9akciq32.cn-north-1.rds.amazonaws.com', 'other', null, null],
  ['mydb.c9akciq32.rds.us-east-1.c2s.ic.gov', 'other', null, null],
  ['x.dsql.us-east-1.on.aws.evil.com', 'other', null, null],
  ['x.y.dsql.us-east-1.on.aws', 'other', null, null],
  // Hostile strings: anything but letters, digits and hyphens in a label.
  ['evil.com/.x.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['evil.com%2f.x.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['user@mydb.c9akciq32.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['my db.c9akciq32.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['"mydb".c9akciq32.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['my_db.c9akciq32.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['-mydb.c9akciq32.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['mydb..c9akciq32.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['https://foo.com/abc.html', 'other', null, null],
  ['https://mydb.c9akciq32.us-east-1.rds.amazonaws.com', 'other', null, null],
  ['foo.boo//', 'other', null, null],
  ['<>', 'other', null, null],
  ['mydb.c9akciq32.us-east-1.rds.amazonaws.com:5432', 'other', null, null],
  [' mydb.c9akciq32.us-east-1.rds.amazonaws.com', 'other', null, null],
];

describe('parseEndpoint', () => {
  for (const [host, kind, region, partition] of classified) {
    it(`${JSON.stringify(host)} is ${kind}`, () => {
      const got = parseEndpoint(host);
      assert.deepEqual({ kind: got.kind, region: got.region, partition: got.partition }, { kind, region, partition });
    });
  }

  it('lowercases and removes one trailing dot', () => {
    const got = parseEndpoint('MyDB.C9AKCIQ32.US-EAST-1.RDS.AMAZONAWS.COM.');
    assert.deepEqual(got, {
      host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com',
      kind: 'instance',
      region: 'us-east-1',
      partition: 'aws',
    });
    assert.equal(parseEndpoint('mydb.c9akciq32.us-east-1.rds.amazonaws.com..').kind, 'other');
  });

  it('unbrackets an IPv6 literal', () => {
    assert.deepEqual(parseEndpoint('[2001:DB8::1]'), {
      host: '2001:db8::1',
      kind: 'ip',
      region: null,
      partition: null,
    });
    assert.equal(parseEndpoint('[mydb.c9akciq32.us-east-1.rds.amazonaws.com]').kind, 'other');
  });

  it('refuses over-long names and labels', () => {
    const long = `${'a'.repeat(64)}.c9akciq32.us-east-1.rds.amazonaws.com`;
    assert.equal(parseEndpoint(long).kind, 'other');
    assert.equal(parseEndpoint(`${'a'.repeat(63)}.c9akciq32.us-east-1.rds.amazonaws.com`).kind, 'instance');
  });
});

describe('parseEndpoint on arbitrary input', () => {
  it('never recognises a name holding a character outside letters, digits, hyphens and dots', () => {
    const bad = fc.constantFrom('/', '%', '@', ' ', '"', "'", ':', '_', '?', '#', '\\', '\u0000', 'é');
    fc.assert(
      fc.property(fc.string(), bad, fc.string(), (before, ch, after) => {
        const host = `${before}${ch}${after}.c9akciq32.us-east-1.rds.amazonaws.com`;
        assert.equal(parseEndpoint(host).kind, 'other');
      }),
    );
  });

  it('recognises no name that merely ends in more labels after an RDS suffix', () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,10}$/);
    fc.assert(
      fc.property(label, fc.constantFrom('cn', 'com', 'evil', 'eu', 'gov', 'aws'), (name, tld) => {
        assert.equal(parseEndpoint(`${name}.c9akciq32.us-east-1.rds.amazonaws.com.${tld}`).region, null);
      }),
    );
  });
});

describe('isRegion', () => {
  it('accepts region shapes and refuses others', () => {
    for (const r of [
      'us-east-1',
      'ap-southeast-7',
      'mx-central-1',
      'cn-northwest-1',
      'us-gov-west-1',
      'eusc-de-east-1',
    ]) {
      assert.equal(isRegion(r), true, r);
    }
    for (const r of ['', 'useast1', 'us-east', 'US-EAST-1', 'us-east-1 ', 'us-east-1/x', 'global']) {
      assert.equal(isRegion(r), false, r);
    }
  });

  it('says what is wrong with a name that is not one: case, or shape', () => {
    assert.equal(regionProblem('us-east-1'), undefined);
    assert.equal(regionProblem('EU-West-3'), 'must be written in lowercase, as AWS does: eu-west-3');
    assert.equal(regionProblem('us-east-123'), 'must be an AWS region name such as us-east-1');
  });
});
