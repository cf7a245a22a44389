// The parts of withDsqlRetry that need no database: which errors are conflicts, how long it waits, bad options.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, conflictCode, withDsqlRetry } from '../../src/dsql-retry.js';
import { RdsIamError } from '../../src/errors.js';

describe('conflictCode', () => {
  it("knows SQLSTATE 40001 and DSQL's OC000 and OC001, however DSQL words them", () => {
    assert.equal(
      conflictCode({ code: '40001', message: 'could not serialize access due to concurrent update' }),
      '40001',
    );
    assert.equal(
      conflictCode({ code: '40001', message: 'change conflicts with another transaction, please retry: (OC000)' }),
      'OC000',
    );
    assert.equal(
      conflictCode({ code: '40001', message: 'schema has been updated by another transaction, please retry: (OC001)' }),
      'OC001',
    );
    assert.equal(conflictCode({ code: 'OC000', message: 'conflict' }), 'OC000');
  });

  it('leaves every other error alone', () => {
    for (const err of [
      { code: '40P01' },
      { code: '23505', message: 'duplicate key (OC0001)' },
      { code: 'ECONNRESET' },
      new Error('OC0000'),
      null,
      'OC000x',
      40001,
    ]) {
      assert.equal(conflictCode(err), undefined, JSON.stringify(err));
    }
  });
});

describe('backoffDelay', () => {
  it('is full jitter under a ceiling that doubles per retry and stops at maxDelayMs', () => {
    const top = () => 0.999999;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, 100, 1000, top)),
      [99, 199, 399, 799, 999, 999],
    );
    assert.deepEqual(
      [1, 2, 3].map((retry) => backoffDelay(retry, 100, 1000, () => 0)),
      [0, 0, 0],
    );
    for (let i = 0; i < 1000; i++) {
      const d = backoffDelay(3, 100, 1000);
      assert.ok(d >= 0 && d < 400, String(d));
    }
  });
});

describe('withDsqlRetry options', () => {
  const client = { query: async () => assert.fail('no query may run with bad options') } as never;

  it('refuses bad options with one clear error, before any query', async () => {
    const err = await withDsqlRetry(client, async () => 1, {
      maxAttempts: 0,
      baseDelayMs: -1,
      maxDelayMs: 1.5,
      isolationLevel: 'snapshot' as never,
    }).catch((e: unknown) => e);
    assert.ok(err instanceof RdsIamError);
    assert.equal(
      err.message,
      'withDsqlRetry: maxAttempts must be a whole number from 1, got 0; baseDelayMs must be a whole number from 0, got -1; ' +
        'maxDelayMs must be a whole number from 0, got 1.5; isolationLevel must be one of serializable, repeatable read, read committed, got "snapshot".',
    );
  });
});
