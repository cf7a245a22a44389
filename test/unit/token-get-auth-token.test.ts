import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, EndpointError } from '../../src/errors.js';
import { MemoryTokenCache } from '../../src/token/cache.js';
import { getAuthToken } from '../../src/get-auth-token.js';
import { EXAMPLE_KEYS } from '../support/credentials.js';
import { ManualClock } from '../support/manual-clock.js';
import { RDS_HOST } from '../support/hosts.js';
import { NO_CONFIG_DIR } from '../support/projects.js';
import { verifyToken } from '../support/verify-token.js';

const cwd = NO_CONFIG_DIR;

function deps(): { clock: ManualClock; cache: MemoryTokenCache; credentials: () => Promise<typeof EXAMPLE_KEYS> } {
  const clock = new ManualClock();
  return { clock, cache: new MemoryTokenCache({ clock }), credentials: async () => EXAMPLE_KEYS };
}

describe('getAuthToken', () => {
  it('loads the config from the environment and returns a verifiable token, cached', async () => {
    const d = deps();
    const env = { RDSIAM_DSN: `postgres://app_user@${RDS_HOST}:5432/app`, RDSIAM_PLUGINS: 'iam' };
    const token = await getAuthToken({ cwd, env, ...d });
    const checked = await verifyToken(token, 'rds-db', 'us-east-1', EXAMPLE_KEYS);
    assert.deepEqual([checked.host, checked.port, checked.params.DBUser], [RDS_HOST, '5432', 'app_user']);
    assert.equal(await getAuthToken({ cwd, env, ...d }), token);
    assert.equal(d.cache.size, 1);
  });

  it('applies overrides over the environment', async () => {
    const d = deps();
    const env = { RDSIAM_DSN: `postgres://app_user@${RDS_HOST}/app`, RDSIAM_PLUGINS: 'iam' };
    const token = await getAuthToken({
      cwd,
      env,
      overrides: { iam_region: 'eu-west-1', iam_default_port: 6543 },
      ...d,
    });
    const checked = await verifyToken(token, 'rds-db', 'eu-west-1', EXAMPLE_KEYS);
    assert.equal(checked.port, '6543');
  });

  it('passes config and endpoint errors through', async () => {
    await assert.rejects(getAuthToken({ cwd, env: { RDSIAM_IAM_EXPIRATION: 'soon' }, ...deps() }), ConfigError);
    const env = { RDSIAM_DSN: 'postgres://app_user@10.0.0.5/app', RDSIAM_PLUGINS: 'iam' };
    await assert.rejects(
      getAuthToken({ cwd, env, ...deps() }),
      (err) => err instanceof EndpointError && /iam_host/.test(err.message),
    );
  });
});
