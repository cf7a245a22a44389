// One fresh process. ours: import + loadConfig + first token (getAuthToken, config from RDSIAM_* variables).
// hand-wired: importing @aws-sdk/rds-signer and signing once. peer: importing the wrapper alone.
// Reports ms since the process started.
import { report } from './report.mjs';

const which = process.argv[2];
if (which === 'ours') {
  const { getAuthToken } = await import('../../../dist/index.js');
  await getAuthToken();
} else if (which === 'hand-wired') {
  await import('./hand-wired-token.mjs');
} else {
  await import('aws-advanced-nodejs-wrapper/pg');
}
report({ ms: performance.now() });
