import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthError, UnavailableError } from '../../src/errors.js';
import { upstreamFailure } from '../../src/proxy/upstream-failure.js';

const endpoint = { host: 'db.example.com', port: 5432 };
const TOKEN = 'db.example.com:5432/?Action=connect&X-Amz-Credential=AKIAEXAMPLE%2F&X-Amz-Signature=abcdef0123456789';

describe('why the proxy could not sign in upstream, as a client is told', () => {
  it('a refused token: a refusal, with the hint that picks among the causes the message lists', () => {
    const f = upstreamFailure(new AuthError(`refused a freshly signed IAM token. Usual causes:\n  - one`), endpoint);
    assert.deepEqual([f.refused, f.serverCode, f.hint], [true, undefined, 'Run `npx rdsiam doctor` to find which.']);
  });

  it('the database gone for the whole retry budget: where the proxy was going, and the hint to see which step fails', () => {
    const f = upstreamFailure(
      new UnavailableError(`the database did not come back within 30000 ms: ${TOKEN}`),
      endpoint,
    );
    assert.equal(f.refused, false);
    assert.equal(f.serverCode, undefined);
    assert.match(f.message, /^rdsiam proxy could not sign in to db\.example\.com:5432: UnavailableError: the database/);
    assert.doesNotMatch(f.message, /abcdef0123456789/);
    assert.equal(f.hint, 'Run `npx rdsiam doctor` to see which step fails.');
  });

  it("the database's own answer keeps its code; a socket's negative errno is not one", () => {
    const answered = Object.assign(new Error('database "nope" does not exist'), { code: '3D000' });
    assert.equal(upstreamFailure(answered, endpoint).serverCode, '3D000');
    const socket = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', errno: -111 });
    assert.equal(upstreamFailure(socket, endpoint).serverCode, undefined);
  });
});
