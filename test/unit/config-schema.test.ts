import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONNECTION_KEYS } from '../../src/config/keys.js';
import { documentSchema, LEAVES, loadZod, schemaFor, validateDocument } from '../../src/config/schema.js';

const z = await loadZod();

/** The keys an object schema holds (zod keeps them in its definition). */
function keysOf(schema: unknown): string[] {
  return Object.keys((schema as { _zod: { def: { shape: Record<string, unknown> } } })._zod.def.shape);
}

describe('the schema a config is validated with', () => {
  it('holds the keys the config sets, at the top level and in its connections, and nothing else', () => {
    const doc = {
      dsn: 'postgres://u@h/db',
      ssl: { mode: 'verify-ca' },
      connections: { reader: { iam_host: 'h', pool: { max: 2 } } },
    };
    assert.deepEqual(keysOf(schemaFor(z, doc)).sort(), ['connections', 'dsn', 'iam_host', 'pool', 'ssl']);
    assert.deepEqual(keysOf(schemaFor(z, { $schema: './s.json', dsn: 'postgres://u@h/db' })).sort(), [
      '$schema',
      'dsn',
    ]);
  });

  it('is the same schema for configs that set the same keys, and another for other keys', () => {
    const one = schemaFor(z, { dsn: 'postgres://a@h/db', plugins: 'iam' });
    assert.equal(schemaFor(z, { plugins: 'none', dsn: 'mysql://b@h/db' }), one);
    assert.notEqual(schemaFor(z, { dsn: 'postgres://a@h/db' }), one);
  });

  it('validates as the whole document schema does: the same issues for unknown keys, bad values and bad shapes', () => {
    const docs: Record<string, unknown>[] = [
      { dsn: 'postgres://u@h/db', iam_regoin: 'us-east-1', ssl: { mod: 'x', ca: '' } },
      { dsn: 42, plugins: 7, pool: 'big', connections: { 'bad name': {}, ok: { iam_default_port: 0, zz: 1 } } },
      { dsn: 'postgres://u@h/db', iam_expiration: 1.5, aws_credentials_source: 'magic', connections: [] },
    ];
    const whole = documentSchema(z);
    for (const doc of docs) {
      const partial = schemaFor(z, doc).safeParse(doc);
      const full = whole.safeParse(doc);
      assert.equal(partial.success, false);
      assert.deepEqual(partial.error?.issues, full.error?.issues);
    }
  });

  it("accepts by each key's plain test exactly the values its zod schema accepts, and as they are", () => {
    const values: unknown[] = [
      ...[undefined, null, true, '', ' ', 'x', 'none', 'iam', 'iam,iam_dsql', 'verify-ca', 'chain', 'us-east-1'],
      ...[
        'US-EAST-1',
        'eu-west-2x',
        'db.cluster-x.us-east-1.rds.amazonaws.com',
        'bad host',
        'abcdefghijklmnopqrstuvwxyz',
      ],
      ...['arn:aws:iam::123456789012:role/db', 'orders-api', 'a', './ca.pem', 'postgres://u@h/db'],
      ...[0, 1, -1, 1.5, 5432, 65_535, 65_536, 600_000, 600_001, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '5'],
      ...[[], ['iam'], ['iam', 'iam_dsql'], ['nope'], [1], {}, { mode: 'verify-full' }],
    ];
    for (const { name, key } of LEAVES) {
      const schema = key.schema(z) as unknown as { safeParse(v: unknown): { success: boolean; data?: unknown } };
      for (const value of values) {
        const parsed = schema.safeParse(value);
        assert.equal(key.accepts(value), parsed.success, `${name}: ${String(value)}`);
        if (parsed.success) assert.deepEqual(parsed.data, value, `${name}: ${String(value)}`);
      }
    }
  });

  it('validates a valid document as the document schema does, and an invalid one with its issues', async () => {
    const valid = {
      $schema: './rdsiam.schema.json',
      dsn: 'postgres://u@h/db',
      plugins: ['iam'],
      iam_default_port: 5432,
      ssl: { mode: 'verify-ca', ca: './ca.pem' },
      pool: { max: 3 },
      connections: { reader: { iam_host: 'reader.example.com', pool: { idle_timeout_ms: 0 } } },
    };
    assert.deepEqual(await validateDocument(valid), documentSchema(z).safeParse(valid));
    const invalid = { dsn: 'postgres://u@h/db', connections: { 'bad name': {}, ok: { ssl: { mode: 'x' } } } };
    assert.deepEqual(
      (await validateDocument(invalid)).error?.issues,
      documentSchema(z).safeParse(invalid).error?.issues,
    );
    assert.equal((await validateDocument({ dsn: 'postgres://u@h/db', toString: 'x' })).success, false);
  });

  it("builds a key's zod schema once, then reuses it", () => {
    const key = CONNECTION_KEYS.connect_timeout_ms;
    assert.equal(key.schema(z), key.schema(z));
  });
});
