// One fresh process. ours: import + loadConfig + first token (no connect). peer: importing the wrapper alone.
// Reports ms since the process started.
import { report } from './env.mjs';

if (process.argv[2] === 'ours') {
  const { getAuthToken } = await import('../../../dist/index.js');
  await getAuthToken();
} else {
  await import('aws-advanced-nodejs-wrapper/pg');
}
report({ ms: performance.now() });
