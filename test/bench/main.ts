// `npm run bench [-- --json] [-- --node=22]`: rdsiam side by side with the raw drivers, the AWS Advanced NodeJS
// Wrapper and hand-wired rds-signer code, against the local IAM test bed. A/B alternate per iteration; medians, p90s,
// ratios. `--node=MAJOR` runs it all, fresh processes included, on that Node (support/node-binary.mjs).
import { execFile, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect as netConnect } from 'node:net';
import { arch, cpus, platform } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build as esbuild, type BuildOptions, type Plugin as EsbuildPlugin } from 'esbuild';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { AwsMySQLClient } from 'aws-advanced-nodejs-wrapper/mysql';
import { AwsPGClient } from 'aws-advanced-nodejs-wrapper/pg';
import { connectFromConfig, createPgPool, getAuthToken, tokenProviderFor, loadConfig } from '../../src/index.js';
import { ensureTestbed } from '../support/ensure-testbed.js';
import { tempDir } from '../support/temp-dir.js';
import { startContainerEndpoint } from '../support/container-endpoint.js';
import { mysqlOptions, pgOptions, type Testbed, type TestCredentials } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { testbedEnv, testbedOptions } from '../support/testbed-config.js';
import { nodeBinDir, runtimeBinary } from '../support/node-binary.mjs';
import { startProxy } from '../proxy/proxy-support.js';
import { alternate, ratio, rotate, summarize, type Summary } from './stats.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const json = process.argv.includes('--json');
// `--only=firstConnectVsHandWired,tokenColdStartVsHandWired`: just these result keys (for quick comparisons).
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wanted = (key: string) => only === undefined || only.includes(key);
const otherNode = process.argv.find((a) => a.startsWith('--node='))?.slice('--node='.length);
if (otherNode !== undefined) {
  const bin = nodeBinDir(otherNode);
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--node='));
  const r = spawnSync(join(bin, 'node'), [tsx, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
  process.exit(r.status ?? 1);
}
// `--cold-start-nodes`: the cold-start rows (7, 8, 9, 10) on each of these Node majors, one `--node=` run each, then
// row 7c (Bun and Deno) on this Node; the figures side by side, and in the JSON by major.
const COLD_START_NODES = ['22', '24', '26'];
const COLD_START_KEYS = [
  'firstConnectVsHandWired',
  'tokenColdStartVsHandWired',
  'cliTokenVsHandWired',
  'coldInstructionsVsHandWired',
];
if (process.argv.includes('--cold-start-nodes')) {
  const bench = (args: string[]): Record<string, unknown> => {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--json', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`bench ${args.join(' ')} failed (exit ${r.status})`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const byNode: Record<string, Record<string, unknown>> = {};
  for (const major of COLD_START_NODES)
    byNode[major] = bench([`--node=${major}`, `--only=${COLD_START_KEYS.join(',')}`]);
  const runtimes = bench(['--only=firstConnectOnRuntimes']);
  const table = coldStartTable(byNode);
  (json ? process.stderr : process.stdout).write(`${table}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ coldStartByNode: byNode, ...runtimes }, null, 2)}\n`);
  process.exit(0);
}

/** The cold-start figures by Node major, one line per figure (leaf of the JSON), one column per major. */
function coldStartTable(byNode: Record<string, Record<string, unknown>>): string {
  const leaves = (value: unknown, path: string): Array<[string, unknown]> =>
    typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k))
      : [[path, value]];
  const majors = Object.keys(byNode);
  const rows = new Map<string, string[]>();
  for (const [i, major] of majors.entries()) {
    for (const key of COLD_START_KEYS) {
      for (const [path, value] of leaves(byNode[major]![key], key)) {
        const row = rows.get(path) ?? majors.map(() => '-');
        row[i] = String(value);
        rows.set(path, row);
      }
    }
  }
  const width = Math.max(...[...rows.keys()].map((k) => k.length));
  return [
    `${'cold start, rdsiam / hand-wired'.padEnd(width)}  ${majors.map((m) => `Node ${m}`.padStart(8)).join('  ')}`,
    ...[...rows].map(([path, values]) => `${path.padEnd(width)}  ${values.map((v) => v.padStart(8)).join('  ')}`),
  ].join('\n');
}

// Fresh-process samples per side: each is a whole Node start, so noise is large; medians of many.
const FRESH_ROUNDS = 31;
const log = (line: string) => void (json ? process.stderr : process.stdout).write(`${line}\n`);
const fmt = (s: Summary, unit = 'ms') =>
  `median ${s.median.toFixed(unit === 'µs' ? 1 : 2)} ${unit}, p90 ${s.p90.toFixed(unit === 'µs' ? 1 : 2)} ${unit} (n=${s.n})`;

type Engine = 'postgres' | 'mysql';
interface Closeable {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

/** 1. A cache hit vs a fresh signing, per call; batches of calls per sample so timer resolution does not count. */
async function tokenCost(tb: Testbed) {
  const key = await tb.newKey();
  const options = testbedOptions(tb, 'postgres', countingCredentials(key).provider);
  const source = tokenProviderFor(await loadConfig(options), options);
  await source.get();
  const BATCH = 50;
  const [hit, fresh] = await alternate(
    200,
    async () => {
      const t = performance.now();
      for (let i = 0; i < BATCH; i++) await source.get();
      return ((performance.now() - t) / BATCH) * 1000;
    },
    async () => {
      const t = performance.now();
      for (let i = 0; i < BATCH; i++) await source.fresh();
      return ((performance.now() - t) / BATCH) * 1000;
    },
  );
  const h = summarize(hit);
  const f = summarize(fresh);
  log(`1. token cost    cache hit ${fmt(h, 'µs')}; fresh signing ${fmt(f, 'µs')}; speed-up ${ratio(f, h)}x`);
  return ratio(f, h);
}

function peerClient(
  tb: Testbed,
  engine: Engine,
  key: { accessKeyId: string; secretAccessKey: string },
): Closeable & { connect(): Promise<unknown> } {
  const s = tb[engine];
  // The peer reads AWS_* env vars through the default chain.
  process.env.AWS_ACCESS_KEY_ID = key.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = key.secretAccessKey;
  if (engine === 'mysql') {
    const client = new AwsMySQLClient({
      host: s.endpoint,
      port: s.port,
      user: s.iamUser,
      database: s.database,
      plugins: 'iam',
      dialect: 'mysql',
      iamHost: s.endpoint,
      iamRegion: s.region,
      enableCleartextPlugin: true,
      ssl: { ca: tb.caPem, rejectUnauthorized: true },
      stream: () => netConnect({ host: s.host, port: s.port }),
    });
    return { connect: () => client.connect(), query: (sql) => client.query({ sql }), end: () => client.end() };
  }
  const client = new AwsPGClient({
    host: s.host,
    port: s.port,
    user: s.iamUser,
    database: s.database,
    plugins: 'iam',
    iamHost: s.endpoint,
    iamRegion: s.region,
    ssl: { ca: tb.caPem, servername: s.endpoint, rejectUnauthorized: true },
  });
  return { connect: () => client.connect(), query: (sql) => client.query({ text: sql }), end: () => client.end() };
}

/** 2 and 3. Warm connects (TLS + auth + SELECT 1): ours vs the raw driver with the same token, and vs the peer. */
async function warmConnects(tb: Testbed, engine: Engine) {
  const key = await tb.newKey();
  const options = testbedOptions(tb, engine, countingCredentials(key).provider);
  const token = await getAuthToken(options);
  const ours = async () => {
    const c = (await connectFromConfig(options)) as unknown as Closeable;
    await c.query('SELECT 1');
    await c.end();
  };
  const raw = async () => {
    const s = tb[engine];
    if (engine === 'mysql') {
      const c = await mysql.createConnection(mysqlOptions(tb.caPem, s, s.iamUser, { token }));
      await c.query('SELECT 1');
      await c.end();
    } else {
      const c = new pg.Client(pgOptions(tb.caPem, s, s.iamUser, token));
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
    }
  };
  const peer = async () => {
    const c = peerClient(tb, engine, key);
    await c.connect();
    await c.query('SELECT 1');
    await c.end();
  };
  for (const warm of [ours, raw, peer]) await warm();
  const [oursVsRaw, rawTimes] = await alternate(60, ours, raw);
  const [oursVsPeer, peerTimes] = await alternate(40, ours, peer);
  const o1 = summarize(oursVsRaw);
  const r = summarize(rawTimes);
  const o2 = summarize(oursVsPeer);
  const p = summarize(peerTimes);
  log(`2. connect ${engine.padEnd(8)} rdsiam ${fmt(o1)}; raw driver ${fmt(r)}; ratio ${ratio(o1, r)}`);
  log(`3. peer ${engine.padEnd(11)} rdsiam ${fmt(o2)}; AWS wrapper ${fmt(p)}; ratio ${ratio(o2, p)}`);
  return { overhead: ratio(o1, r), vsPeer: ratio(o2, p) };
}

/** A child's environment: the same connection for rdsiam (RDSIAM_*) and for hand-wired code (HW_*), keys in AWS_*. */
function childEnv(tb: Testbed, engine: Engine, key: TestCredentials, extra: Record<string, string> = {}) {
  const s = tb[engine];
  return testbedEnv(tb, engine, key, {
    PATH: process.env.PATH ?? '',
    HOME: '/nonexistent',
    BENCH_STATE: tb.stateFile,
    BENCH_ENGINE: engine,
    HW_HOST: s.host,
    HW_PORT: String(s.port),
    HW_ENDPOINT: s.endpoint,
    HW_USER: s.iamUser,
    HW_DATABASE: s.database,
    HW_REGION: s.region,
    HW_CA: tb.ca,
    ...extra,
  });
}

// Fresh processes run where an application does: in its own directory (a package.json, no rdsiam config file,
// config from env), not in a shared temp dir whose listing says more about the machine than about rdsiam.
const APP_DIR = tempDir('rdsiam-bench-app-');
writeFileSync(join(APP_DIR, 'package.json'), JSON.stringify({ name: 'bench-app', private: true, type: 'module' }));

async function child(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd = APP_DIR,
  runtime: string[] = [process.execPath],
): Promise<Record<string, number>> {
  const [command, ...before] = runtime;
  const { stdout } = await run(
    command!,
    [...before, fileURLToPath(new URL(`children/${script}`, import.meta.url)), ...args],
    {
      cwd,
      env,
      timeout: 120_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
}

/** Fresh processes of one child script, side A given argument `a`, side B `b`, alternated; each side's summary. */
async function childPair(
  script: string,
  a: string,
  b: string,
  env: Record<string, string>,
  { rounds = FRESH_ROUNDS, cwd = APP_DIR, runtime = [process.execPath] } = {},
): Promise<[Summary, Summary]> {
  const [as, bs] = await alternate(
    rounds,
    async () => (await child(script, [a], env, cwd, runtime)).ms,
    async () => (await child(script, [b], env, cwd, runtime)).ms,
  );
  return [summarize(as), summarize(bs)];
}

/**
 * An application directory holding the config of `env`'s RDSIAM_* variables as a `.rdsiamrc.yaml`, and `env` without
 * them: the same connection, found by cosmiconfig instead of read from the environment.
 */
function configFileApp(env: Record<string, string>): { dir: string; env: Record<string, string> } {
  const dir = tempDir('rdsiam-bench-file-app-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-file-app', private: true, type: 'module' }));
  const yaml = [
    `dsn: ${JSON.stringify(env.RDSIAM_DSN)}`,
    `plugins: ${JSON.stringify(env.RDSIAM_PLUGINS)}`,
    `iam_host: ${JSON.stringify(env.RDSIAM_IAM_HOST)}`,
    'ssl:',
    `  ca: ${JSON.stringify(env.RDSIAM_SSL__CA)}`,
  ];
  writeFileSync(join(dir, '.rdsiamrc.yaml'), `${yaml.join('\n')}\n`);
  return { dir, env: Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('RDSIAM_'))) };
}

/** 7. The first connect of a fresh process (import, config, token, TLS, SELECT 1, end), ours vs hand-wired driver + rds-signer. */
async function firstConnectHandWired(tb: Testbed, engine: Engine) {
  const [o, h] = await childPair('first-connect.mjs', 'ours', 'hand-wired', childEnv(tb, engine, await tb.newKey()));
  log(`7. first connect ${engine.padEnd(8)} rdsiam ${fmt(o)}; hand-wired ${fmt(h)}; ratio ${ratio(o, h)}`);
  return ratio(o, h);
}

/**
 * 7c. Row 7 on Bun and on Deno (their binaries from npm, support/node-binary.mjs), each against the same hand-wired
 * code on the same runtime. No goal yet: where these runtimes stand.
 */
async function firstConnectOnRuntimes(tb: Testbed) {
  const result: Record<string, { pg: number; mysql: number }> = {};
  for (const name of ['bun', 'deno'] as const) {
    const cache = tempDir(`rdsiam-bench-${name}-cache-`);
    const extra: Record<string, string> =
      name === 'deno'
        ? { DENO_DIR: cache, DENO_NO_UPDATE_CHECK: '1' }
        : { BUN_INSTALL_CACHE_DIR: cache, DO_NOT_TRACK: '1' };
    const runtime = name === 'deno' ? [runtimeBinary('deno'), 'run', '-A'] : [runtimeBinary('bun')];
    const ratios = { pg: 0, mysql: 0 };
    for (const engine of ['postgres', 'mysql'] as const) {
      const env = childEnv(tb, engine, await tb.newKey(), extra);
      const [o, h] = await childPair('first-connect.mjs', 'ours', 'hand-wired', env, { runtime });
      log(
        `7c. first connect on ${name.padEnd(4)} ${engine.padEnd(8)} rdsiam ${fmt(o)}; hand-wired ${fmt(h)}; ratio ${ratio(o, h)}`,
      );
      ratios[engine === 'postgres' ? 'pg' : 'mysql'] = ratio(o, h);
    }
    result[name] = ratios;
  }
  return result;
}

/** 7b. Row 7 with the config in a `.rdsiamrc.yaml` (cosmiconfig finds and parses it) instead of RDSIAM_* variables. */
async function firstConnectFromFile(tb: Testbed, engine: Engine) {
  const app = configFileApp(childEnv(tb, engine, await tb.newKey()));
  const [o, h] = await childPair('first-connect.mjs', 'ours', 'hand-wired', app.env, { cwd: app.dir });
  log(
    `7b. first connect ${engine.padEnd(8)} with .rdsiamrc.yaml: rdsiam ${fmt(o)}; hand-wired ${fmt(h)}; ratio ${ratio(o, h)}`,
  );
  return ratio(o, h);
}

/** 8. A fresh process's first token: getAuthToken() (config from env) vs importing rds-signer and signing once. */
async function tokenColdStart(tb: Testbed) {
  const [o, h] = await childPair('cold-start.mjs', 'ours', 'hand-wired', childEnv(tb, 'postgres', await tb.newKey()));
  log(`8. token cold    rdsiam getAuthToken ${fmt(o)}; hand-wired Signer ${fmt(h)}; ratio ${ratio(o, h)}`);
  return ratio(o, h);
}

/** 9. `rdsiam token` as a process vs `node` running the hand-wired signer script; wall time from spawn to exit. */
async function cliToken(tb: Testbed) {
  const env = childEnv(tb, 'postgres', await tb.newKey());
  const exec = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, args, { cwd: APP_DIR, env, timeout: 60_000 });
    if (!stdout.includes('X-Amz-Signature=')) throw new Error(`${args.join(' ')} printed no token`);
  };
  const [ours, hand] = await alternate(
    FRESH_ROUNDS,
    () => exec(fileURLToPath(new URL('../../dist/cli/rdsiam.cjs', import.meta.url)), 'token'),
    () => exec(fileURLToPath(new URL('children/hand-wired-token.mjs', import.meta.url))),
  );
  const o = summarize(ours);
  const h = summarize(hand);
  log(`9. CLI token     rdsiam token ${fmt(o)}; node hand-wired-token.mjs ${fmt(h)}; ratio ${ratio(o, h)}`);
  return ratio(o, h);
}

// V8's hash-seed setup (Node 22 and later) draws random numbers until one passes a primality test: 1 to 12 M
// instructions in a process, by luck, whatever the script. Left out of the count (callgrind stops counting inside it;
// the toggle first turns counting off at start, so it is turned on after), a process counts the same to 0.3% from
// run to run, where it varied by 4%. It is a cost both sides pay alike, so leaving it out raises the ratios a little.
const NOT_COUNTED = ['--toggle-collect=v8::internal::HashSeed::InitializeRoots*', '--collect-atstart=yes'];

/**
 * Instructions one whole process executes, counted by valgrind's callgrind: unlike wall time, a cost that busy
 * neighbours on a shared machine do not move.
 */
async function instructions(args: string[], env: Record<string, string>, cwd = APP_DIR): Promise<number> {
  const { stderr } = await run(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', ...NOT_COUNTED, process.execPath, ...args],
    {
      cwd,
      env,
      timeout: 600_000,
    },
  );
  const collected = /Collected : (\d+)/.exec(stderr);
  if (collected === null) throw new Error(`valgrind printed no instruction count for ${args.join(' ')}:\n${stderr}`);
  return Number(collected[1]);
}

/** 10. Rows 7 to 9 counted in instructions, ours over hand-wired. One process at a time: run side by side, they count more. */
async function coldInstructions(tb: Testbed) {
  const child = (script: string) => fileURLToPath(new URL(`children/${script}`, import.meta.url));
  const pair = async (ours: string[], hand: string[], env: Record<string, string>, cwd = APP_DIR) =>
    Number(((await instructions(ours, env, cwd)) / (await instructions(hand, env, cwd))).toFixed(3));
  const [pgEnv, mysqlEnv] = [childEnv(tb, 'postgres', await tb.newKey()), childEnv(tb, 'mysql', await tb.newKey())];
  const connect = [child('first-connect.mjs'), 'ours'];
  const connectByHand = [child('first-connect.mjs'), 'hand-wired'];
  const fileApp = configFileApp(pgEnv);
  const result = {
    firstConnect: {
      pg: await pair(connect, connectByHand, pgEnv),
      mysql: await pair(connect, connectByHand, mysqlEnv),
    },
    firstConnectFromFile: { pg: await pair(connect, connectByHand, fileApp.env, fileApp.dir) },
    tokenColdStart: await pair([child('cold-start.mjs'), 'ours'], [child('cold-start.mjs'), 'hand-wired'], pgEnv),
    cliToken: await pair(
      [fileURLToPath(new URL('../../dist/cli/rdsiam.cjs', import.meta.url)), 'token'],
      [child('hand-wired-token.mjs')],
      pgEnv,
    ),
  };
  log(
    `10. instructions (valgrind), ours / hand-wired: first connect pg ${result.firstConnect.pg}, mysql ${result.firstConnect.mysql}; ` +
      `with .rdsiamrc.yaml pg ${result.firstConnectFromFile.pg}; ` +
      `token cold ${result.tokenColdStart}; CLI token ${result.cliToken}`,
  );
  return result;
}

/** 3b. The first connect of a fresh process (import included), ours vs the peer. */
async function firstConnect(tb: Testbed, engine: Engine) {
  const [o, p] = await childPair('first-connect.mjs', 'ours', 'peer', childEnv(tb, engine, await tb.newKey()), {
    rounds: 8,
  });
  log(`3. first connect ${engine.padEnd(8)} rdsiam ${fmt(o)}; AWS wrapper ${fmt(p)}; ratio ${ratio(o, p)}`);
  return ratio(o, p);
}

/** 4. 200 concurrent connects on a cold cache, each contender in a fresh process with its own counting credentials endpoint. */
async function coldBurst(tb: Testbed) {
  const results: Record<
    string,
    { tokensSigned: number; credentialFetches: number; wallMs: number; ok: number; failed: number }
  > = {};
  for (const which of ['ours', 'peer', 'hand-wired']) {
    const key = await tb.newKey({ kind: 'temporary' });
    const endpoint = await startContainerEndpoint(key);
    try {
      const {
        AWS_ACCESS_KEY_ID: _a,
        AWS_SECRET_ACCESS_KEY: _b,
        AWS_SESSION_TOKEN: _c,
        ...env
      } = childEnv(tb, 'postgres', key, {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
        RDSIAM_AWS_CREDENTIALS_SOURCE: 'container',
      });
      const r = await child('cold-burst.mjs', [which], env);
      results[which] = {
        tokensSigned: r.tokensSigned!,
        credentialFetches: endpoint.hits(),
        wallMs: Number(r.wallMs!.toFixed(1)),
        ok: r.ok!,
        failed: r.failed!,
      };
    } finally {
      await endpoint.close();
    }
    const x = results[which]!;
    log(
      `4. cold burst ${which.padEnd(10)} ${x.ok}/200 ok, ${x.tokensSigned} signings, ${x.credentialFetches} credential fetches, wall ${x.wallMs} ms`,
    );
  }
  return results;
}

/** 5. A fresh process: import + loadConfig + first token (ours) vs importing the peer alone. */
async function coldStart(tb: Testbed) {
  const [o, p] = await childPair('cold-start.mjs', 'ours', 'peer', childEnv(tb, 'postgres', await tb.newKey()), {
    rounds: 10,
  });
  log(`5. cold start    rdsiam import+config+token ${fmt(o)}; AWS wrapper import ${fmt(p)}; ratio ${ratio(o, p)}`);
  return ratio(o, p);
}

/**
 * The library built twice from src/ alike, as CommonJS bundles under .cache/: as it ships, and with its channel calls
 * compiled out (`publish` empty, `traced` calling its function), for row 12's floor.
 */
async function channelBuilds(): Promise<{ shipped: Library; compiledOut: Library }> {
  const dir = join(root, '.cache/bench-channels/');
  const compiledOut: EsbuildPlugin = {
    name: 'channels-compiled-out',
    setup(b) {
      b.onLoad({ filter: /\/src\/tracing\.ts$/ }, () => ({
        contents: 'export function traced(_name, _context, fn) { return fn(); }\n',
        loader: 'ts',
      }));
      b.onLoad({ filter: /\/src\/events\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const emptied = source.replace(/(export function publish<[^{]*\{)[^}]*\}/, '$1}');
        if (emptied === source) throw new Error('row 12: no `export function publish` in src/events.ts to compile out');
        return { contents: emptied, loader: 'ts' };
      });
    },
  };
  const options: BuildOptions = {
    entryPoints: [join(root, 'src/index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    define: { 'import.meta.url': 'undefined' },
    logLevel: 'warning',
  };
  await Promise.all([
    esbuild({ ...options, outfile: `${dir}shipped.cjs` }),
    esbuild({ ...options, outfile: `${dir}compiled-out.cjs`, plugins: [compiledOut] }),
  ]);
  const load = createRequire(import.meta.url);
  return { shipped: load(`${dir}shipped.cjs`) as Library, compiledOut: load(`${dir}compiled-out.cjs`) as Library };
}

type Library = typeof import('../../src/index.js');

/**
 * 12. What rdsiam's diagnostics and tracing channels cost its hot paths, side by side: nothing subscribed, `rdsiam/otel`
 * registered (in-memory SDK providers), and the same build with the channel calls compiled out. Per path: a token
 * cache hit and a fresh signing (µs per call, batches), and a warm connect (TLS + IAM login, new connection).
 */
async function otelCost(tb: Testbed) {
  const { registerOpenTelemetry } = await import('../../src/otel.js');
  const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
  const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
  const providers = { meterProvider: new MeterProvider(), tracerProvider: new BasicTracerProvider() };
  const { shipped, compiledOut } = await channelBuilds();
  const options = testbedOptions(tb, 'postgres', countingCredentials(await tb.newKey()).provider);
  const hotPaths = async (lib: Library) => {
    const source = lib.tokenProviderFor(await lib.loadConfig(options), options);
    await source.get();
    const perCall = (batch: number, call: () => Promise<unknown>) => async () => {
      const t = performance.now();
      for (let i = 0; i < batch; i++) await call();
      return ((performance.now() - t) / batch) * 1000;
    };
    return {
      cacheHit: perCall(200, () => source.get()),
      signing: perCall(20, () => source.fresh()),
      connect: async () => (await lib.connectFromConfig(options)).end(),
    };
  };
  const [off, out] = [await hotPaths(shipped), await hotPaths(compiledOut)];
  const registered = (run: () => Promise<number | void>) => async (): Promise<number> => {
    const stop = registerOpenTelemetry(providers);
    try {
      const t = performance.now();
      const reported = await run();
      return typeof reported === 'number' ? reported : performance.now() - t;
    } finally {
      stop();
    }
  };
  const result: Record<string, { unregisteredVsCompiledOut: number; registeredVsUnregistered: number }> = {};
  for (const [path, rounds, unit] of [
    ['cacheHit', 200, 'µs'],
    ['signing', 150, 'µs'],
    ['connect', 40, 'ms'],
  ] as const) {
    for (const warm of [off[path], out[path], registered(off[path])]) await warm();
    const [a, b, c] = (await rotate(rounds, [off[path], registered(off[path]), out[path]])).map(summarize);
    result[path] = { unregisteredVsCompiledOut: ratio(a!, c!), registeredVsUnregistered: ratio(b!, a!) };
    log(
      `12. channels ${path.padEnd(8)} compiled out ${fmt(c!, unit)}; nothing subscribed ${fmt(a!, unit)}; ` +
        `rdsiam/otel registered ${fmt(b!, unit)}; unsubscribed/compiled out ${ratio(a!, c!)}, registered/unsubscribed ${ratio(b!, a!)}`,
    );
  }
  return result;
}

/** 6. A pool of 10 whose connections idle out between waves, 5,000 queries: ours vs a pg.Pool with a fixed token. */
async function poolChurn(tb: Testbed) {
  const key = await tb.newKey();
  const options = testbedOptions(tb, 'postgres', countingCredentials(key).provider, {
    pool: { max: 10, idle_timeout_ms: 5 },
  });
  const token = await getAuthToken(options);
  const s = tb.postgres;
  const serve = async (pool: pg.Pool) => {
    const started = performance.now();
    for (let wave = 0; wave < 100; wave++) {
      await Promise.all(Array.from({ length: 50 }, () => pool.query('SELECT 1')));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const ms = performance.now() - started;
    await pool.end();
    return ms;
  };
  const [ours, fixed] = await alternate(
    4,
    async () => serve(await createPgPool(options)),
    async () => serve(new pg.Pool({ ...pgOptions(tb.caPem, s, s.iamUser, token), max: 10, idleTimeoutMillis: 5 })),
  );
  const o = summarize(ours);
  const f = summarize(fixed);
  // Throughput ratio: queries per second, ours over the fixed-token pool.
  const throughput = Number((f.median / o.median).toFixed(3));
  log(
    `6. pool churn    rdsiam 5000 queries in ${fmt(o)}; fixed-token pg.Pool ${fmt(f)}; throughput ratio ${throughput}`,
  );
  return throughput;
}

/** One database client as row 11 drives it, whichever the engine. */
interface BenchClient {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

/** How row 11 reaches one engine: directly with a token (at `port`, or the server's own), or through the proxy. */
interface ProxyBench {
  server: 'postgres' | 'mysql';
  label: string;
  /** About 50 MB of result. */
  bulk: string;
  direct(tb: Testbed, token: string, port?: number): Promise<BenchClient>;
  /** Through the proxy listening on 127.0.0.1:`port`, or on its Unix socket in directory `port`. */
  proxied(tb: Testbed, port: number | string): Promise<BenchClient>;
}

const PROXY_BENCHES: ProxyBench[] = [
  {
    server: 'postgres',
    label: 'pg   ',
    bulk: "SELECT repeat('x', 1000) FROM generate_series(1, 50000)",
    direct: async (tb, token, port = tb.postgres.port) => {
      const c = new pg.Client({ ...pgOptions(tb.caPem, tb.postgres, tb.postgres.iamUser, token), port });
      await c.connect();
      return c;
    },
    proxied: async (tb, port) => {
      const s = tb.postgres;
      // pg takes a directory as the host, and the port for the socket's name (.s.PGSQL.<port>).
      const at = typeof port === 'string' ? { host: port, port: s.port } : { host: '127.0.0.1', port };
      const c = new pg.Client({ ...at, user: s.iamUser, database: s.database });
      await c.connect();
      return c;
    },
  },
  {
    server: 'mysql',
    label: 'mysql',
    // MariaDB's sequence engine: seq_1_to_N is a table of N rows.
    bulk: "SELECT repeat('x', 1000) FROM seq_1_to_50000",
    direct: (tb, token, port = tb.mysql.port) =>
      mysql.createConnection({
        ...mysqlOptions(tb.caPem, tb.mysql, tb.mysql.iamUser, { token }),
        // TCP_NODELAY, as mysql2 sets on the sockets it opens itself (and the proxy on its own).
        stream: () => netConnect({ host: tb.mysql.host, port, noDelay: true }),
      }),
    proxied: (tb, port) =>
      mysql.createConnection({
        ...(typeof port === 'string' ? { socketPath: join(port, 'mysqld.sock') } : { host: '127.0.0.1', port }),
        user: tb.mysql.iamUser,
        database: tb.mysql.database,
      }),
  },
];

/** CPU time a process has used so far, all its threads, in µs (the scheduler's ns count, not 10 ms ticks). */
function cpuMicros(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  }
  return ns / 1000;
}

/** The floor for row 11: a bare `pipe` relay process (children/bare-relay.mjs) in front of the server. */
async function bareRelay(host: string, port: number): Promise<{ pid: number; port: number; stop(): void }> {
  const script = fileURLToPath(new URL('children/bare-relay.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, host, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const listening = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (line: string) => resolve(Number(line.trim())));
    child.once('exit', (code) => reject(new Error(`bare-relay.mjs exited ${code}`)));
  });
  return { pid: child.pid ?? 0, port: listening, stop: () => void child.kill() };
}

/** One way to the database in row 11, and the relay process on it whose CPU time is counted (none for direct). */
interface Side {
  client: BenchClient;
  relayPid?: number;
}

/** Samples of each side, rotated per round, and the CPU µs its relay process spent per sample (the mean). */
async function rotateMetered(rounds: number, sides: Side[], sample: (c: BenchClient) => Promise<number | void>) {
  const cpu = sides.map(() => 0);
  const times = await rotate(
    rounds,
    sides.map(({ client, relayPid }, i) => async () => {
      const before = relayPid === undefined ? 0 : cpuMicros(relayPid);
      const reported = await sample(client);
      if (relayPid !== undefined) cpu[i]! += cpuMicros(relayPid) - before;
      return reported;
    }),
  );
  return sides.map((_, i) => ({ summary: summarize(times[i]!), cpuMicros: cpu[i]! / rounds }));
}

/**
 * 11. `rdsiam proxy` (real processes, one on TCP, one on a Unix socket) against direct connections, with a bare
 * relay process as the floor of any extra hop; the four sides rotated per round. SELECT 1 round trips, a large
 * result, the relays' CPU time, memory per idle session.
 */
async function proxyVsDirect(tb: Testbed, engine: ProxyBench) {
  const key = await tb.newKey();
  const env = testbedEnv(tb, engine.server, key);
  const socketDir = tempDir('rdsiam-bench-proxy-');
  const [proxy, unixProxy] = await Promise.all([
    startProxy(['--listen', '127.0.0.1:0'], env),
    startProxy(['--unix-socket', socketDir], env),
  ]);
  const server = tb[engine.server];
  const floor = await bareRelay(server.host, server.port);
  try {
    const token = await getAuthToken(testbedOptions(tb, engine.server, countingCredentials(key).provider));
    const sides: Side[] = await Promise.all([
      engine.direct(tb, token).then((client) => ({ client })),
      engine.direct(tb, token, floor.port).then((client) => ({ client, relayPid: floor.pid })),
      engine.proxied(tb, proxy.port).then((client) => ({ client, relayPid: proxy.pid })),
      engine.proxied(tb, socketDir).then((client) => ({ client, relayPid: unixProxy.pid })),
    ]);
    const ROUND_TRIPS = 250;
    // µs per round trip, averaged over a batch so timer resolution does not count.
    const roundTrips = async (c: BenchClient) => {
      const started = performance.now();
      for (let i = 0; i < ROUND_TRIPS; i++) await c.query('SELECT 1');
      return ((performance.now() - started) * 1000) / ROUND_TRIPS;
    };
    const [d, f, p, u] = await rotateMetered(40, sides, roundTrips);
    const [bd, bf, bp, bu] = await rotateMetered(12, sides, (c) => c.query(engine.bulk).then(() => undefined));
    await Promise.all(sides.map(({ client }) => client.end()));

    // Memory per idle session: how the proxy's RSS grows with 200 more clients connected, over 200, after 20 sessions
    // have come and gone (what the first sessions load and allocate once is not counted); then, with those 200
    // closed, the same again, where the memory they freed is reused.
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proxy.pid}/status`, 'utf8'))?.[1] ?? 0);
    const IDLE = 200;
    const open = async (n: number) => {
      const clients: BenchClient[] = [];
      for (let i = 0; i < n; i += 50) {
        const batch = Array.from({ length: Math.min(50, n - i) }, () => engine.proxied(tb, proxy.port));
        clients.push(...(await Promise.all(batch)));
      }
      return clients;
    };
    const perIdleSession = async () => {
      const before = rss();
      const clients = await open(IDLE);
      const kb = Math.round((rss() - before) / IDLE);
      await Promise.all(clients.map((c) => c.end()));
      return kb;
    };
    await Promise.all((await open(20)).map((c) => c.end()));
    const perSessionKb = await perIdleSession();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const perSessionKbReused = await perIdleSession();

    const added = (a: Summary) => Number((a.median - d!.summary.median).toFixed(1));
    const throughput = (a: Summary) => Number((bd!.summary.median / a.median).toFixed(3));
    const micros = (n: number) => Number(n.toFixed(1));
    const result = {
      selectOneRatio: ratio(p!.summary, d!.summary),
      addedMicros: added(p!.summary),
      throughput: throughput(bp!.summary),
      perSessionKb,
      perSessionKbReused,
      unixSocket: {
        selectOneRatio: ratio(u!.summary, d!.summary),
        addedMicros: added(u!.summary),
        throughput: throughput(bu!.summary),
      },
      bareRelay: {
        selectOneRatio: ratio(f!.summary, d!.summary),
        addedMicros: added(f!.summary),
        throughput: throughput(bf!.summary),
      },
      relayCpuMicrosPerRoundTrip: {
        proxy: micros(p!.cpuMicros / ROUND_TRIPS),
        unixSocket: micros(u!.cpuMicros / ROUND_TRIPS),
        bareRelay: micros(f!.cpuMicros / ROUND_TRIPS),
      },
      relayCpuMsPerResult: {
        proxy: micros(bp!.cpuMicros / 1000),
        unixSocket: micros(bu!.cpuMicros / 1000),
        bareRelay: micros(bf!.cpuMicros / 1000),
      },
    };
    const cpu = result.relayCpuMicrosPerRoundTrip;
    log(
      `11. proxy ${engine.label}   SELECT 1 direct ${fmt(d!.summary, 'µs')}; via proxy ${fmt(p!.summary, 'µs')}, ` +
        `+${result.addedMicros} µs, ratio ${result.selectOneRatio}; via its Unix socket ${fmt(u!.summary, 'µs')}, ` +
        `ratio ${result.unixSocket.selectOneRatio}; via a bare relay ${fmt(f!.summary, 'µs')}, ` +
        `+${result.bareRelay.addedMicros} µs, ratio ${result.bareRelay.selectOneRatio}; relay CPU per round trip: ` +
        `proxy ${cpu.proxy} µs, Unix socket ${cpu.unixSocket} µs, bare relay ${cpu.bareRelay} µs`,
    );
    const bulkCpu = result.relayCpuMsPerResult;
    log(
      `11. proxy ${engine.label}   50 MB result direct ${fmt(bd!.summary)}; via proxy ${fmt(bp!.summary)}, ` +
        `throughput ratio ${result.throughput}; via its Unix socket ${fmt(bu!.summary)}, ratio ` +
        `${result.unixSocket.throughput}; via a bare relay ${fmt(bf!.summary)}, ratio ${result.bareRelay.throughput}; ` +
        `relay CPU per result: proxy ${bulkCpu.proxy} ms, Unix socket ${bulkCpu.unixSocket} ms, bare relay ` +
        `${bulkCpu.bareRelay} ms; RSS per idle session ~${perSessionKb} kB, ~${perSessionKbReused} kB with memory reused`,
    );
    return result;
  } finally {
    floor.stop();
    await Promise.all([proxy.stop(), unixProxy.stop()]);
  }
}

const bed = await ensureTestbed('bench');
try {
  // The fresh-process children import the built package (dist/), as an application gets it.
  if (spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0)
    throw new Error('npm run build failed');
  const tb = bed.tb;
  const machine = `${cpus().length} x ${cpus()[0]?.model.trim()}, ${platform()} ${arch()}, Node ${process.version}`;
  log(`rdsiam benchmarks, ${new Date().toISOString().slice(0, 10)}, ${machine}`);
  const result: Record<string, unknown> = { date: new Date().toISOString(), machine };
  const pick = (r: { tokensSigned: number; credentialFetches: number; wallMs: number }) => ({
    tokensSigned: r.tokensSigned,
    credentialFetches: r.credentialFetches,
    wallMs: r.wallMs,
  });
  if (wanted('tokenCacheSpeedup')) result.tokenCacheSpeedup = await tokenCost(tb);
  if (wanted('connectOverhead') || wanted('vsPeer')) {
    const pgWarm = await warmConnects(tb, 'postgres');
    const mysqlWarm = await warmConnects(tb, 'mysql');
    result.connectOverhead = { pg: pgWarm.overhead, mysql: mysqlWarm.overhead };
    result.vsPeer = { pg: pgWarm.vsPeer, mysql: mysqlWarm.vsPeer };
  }
  if (wanted('firstConnectVsPeer')) {
    result.firstConnectVsPeer = { pg: await firstConnect(tb, 'postgres'), mysql: await firstConnect(tb, 'mysql') };
  }
  if (wanted('firstConnectVsHandWired')) {
    result.firstConnectVsHandWired = {
      pg: await firstConnectHandWired(tb, 'postgres'),
      mysql: await firstConnectHandWired(tb, 'mysql'),
    };
  }
  if (wanted('firstConnectFromFileVsHandWired')) {
    result.firstConnectFromFileVsHandWired = {
      pg: await firstConnectFromFile(tb, 'postgres'),
      mysql: await firstConnectFromFile(tb, 'mysql'),
    };
  }
  if (only?.includes('firstConnectOnRuntimes')) result.firstConnectOnRuntimes = await firstConnectOnRuntimes(tb);
  if (wanted('tokenColdStartVsHandWired')) result.tokenColdStartVsHandWired = await tokenColdStart(tb);
  if (wanted('cliTokenVsHandWired')) result.cliTokenVsHandWired = await cliToken(tb);
  if (wanted('coldInstructionsVsHandWired')) {
    if (spawnSync('valgrind', ['--version']).status === 0)
      result.coldInstructionsVsHandWired = await coldInstructions(tb);
    else log('10. instructions: skipped, valgrind is not installed');
  }
  if (wanted('coldBurst')) {
    const burst = await coldBurst(tb);
    result.coldBurst = {
      ours: pick(burst['ours']!),
      peer: pick(burst['peer']!),
      handWired: pick(burst['hand-wired']!),
      wallVsPeer: Number((burst['ours']!.wallMs / burst['peer']!.wallMs).toFixed(3)),
    };
  }
  if (wanted('coldStartVsPeerImport')) result.coldStartVsPeerImport = await coldStart(tb);
  if (wanted('poolChurnVsStatic')) result.poolChurnVsStatic = await poolChurn(tb);
  if (wanted('proxyVsDirect')) {
    result.proxyVsDirect = {
      pg: await proxyVsDirect(tb, PROXY_BENCHES[0]!),
      mysql: await proxyVsDirect(tb, PROXY_BENCHES[1]!),
    };
  }
  if (wanted('otelCost')) result.otelCost = await otelCost(tb);
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  bed.release();
}
