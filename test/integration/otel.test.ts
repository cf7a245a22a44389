// rdsiam/otel against the test bed: metric and span names, instruments, units, attributes and values, with the SDK's
// in-memory readers and exporters; one retry metric per retry event; a leak scan of every exported attribute; the
// documentation checked against what is exported; and the documented setup example, run.
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { SpanStatusCode } from '@opentelemetry/api';
import { AuthError, connectFromConfig, CredentialsError } from '../../src/index.js';
import { registerOpenTelemetry } from '../../src/otel.js';
import { requireTestbed } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { testbedEnv, testbedOptions } from '../support/testbed-config.js';
import { STARTING, startFakeFrontEnd, THROTTLED } from '../support/fake-front-end.js';
import { collect } from '../support/events.js';
import { fakeRdsApiForThisFile } from '../support/fake-rds-api.js';
import { randomCredentials } from '../testbed/keys.js';
import { runNode } from '../support/run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// DescribeGlobalClusters for the global database test (AWS_ENDPOINT_URL_RDS, for this file).
const rds = fakeRdsApiForThisFile();

/** A metric reader the test collects from on demand. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface Point {
  name: string;
  /** The instrument: COUNTER or HISTOGRAM. */
  kind: string;
  unit: string;
  attributes: Record<string, unknown>;
  value: number;
  count?: number;
}

/** What instrument made the data: a monotonic sum is a counter's. */
function instrumentOf(m: MetricData): string {
  if (m.dataPointType === DataPointType.HISTOGRAM) return 'HISTOGRAM';
  if (m.dataPointType === DataPointType.SUM && m.isMonotonic) return 'COUNTER';
  return `data point type ${m.dataPointType}`;
}

function points(resource: ResourceMetrics): Point[] {
  return resource.scopeMetrics.flatMap((scope) =>
    scope.metrics.flatMap((m) =>
      m.dataPoints.map((p) => {
        const v = p.value as number | { count: number; sum?: number };
        return {
          name: m.descriptor.name,
          kind: instrumentOf(m),
          unit: m.descriptor.unit,
          attributes: p.attributes,
          value: typeof v === 'number' ? v : (v.sum ?? 0),
          ...(typeof v === 'number' ? {} : { count: v.count }),
        };
      }),
    ),
  );
}

/** Providers with in-memory readers and exporters, registered until `stop()`. */
function recorder() {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const unregister = registerOpenTelemetry({ meterProvider, tracerProvider });
  return {
    metrics: async () => points((await reader.collect()).resourceMetrics),
    spans: () => exporter.getFinishedSpans(),
    stop: async () => {
      unregister();
      await meterProvider.shutdown();
    },
  };
}

// Registered for the whole file: what every test exported, for the leak scan and the documentation check.
let all: ReturnType<typeof recorder>;
const secrets: string[] = [];

before(() => {
  all = recorder();
});
after(() => all.stop());

/** Each test's own recorder, so its values are exact. */
async function recorded(t: TestContext): Promise<ReturnType<typeof recorder>> {
  const r = recorder();
  t.after(() => r.stop());
  return r;
}

/** The exported points of `name`, as [attributes, value or count] sorted, checking the instrument and unit. */
function series(ps: Point[], name: string, kind: 'COUNTER' | 'HISTOGRAM', unit: string) {
  const found = ps.filter((p) => p.name === name);
  for (const p of found) assert.deepEqual([p.kind, p.unit], [kind, unit], name);
  return found
    .map((p) => [p.attributes, kind === 'COUNTER' ? p.value : p.count] as const)
    .sort((a, b) => canonical(a).localeCompare(canonical(b)));
}

function canonical([attributes, n]: readonly [Record<string, unknown>, number | undefined]): string {
  return JSON.stringify([Object.entries(attributes).sort(([x], [y]) => x.localeCompare(y)), n]);
}

/** The attributes of a connection (where the driver dials) and of a signed token (the name it is signed for). */
const at = (host: string, port: number) => ({ 'server.address': host, 'server.port': port });
const DB_SYSTEM = { postgres: 'postgresql', mysql: 'mysql' } as const;

class CredentialsProviderError extends Error {
  override name = 'CredentialsProviderError';
}

describe('rdsiam/otel', () => {
  test('a connect: one rdsiam.connect span with credentials and sign children, and the metrics of it', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const r = await recorded(t);
    const key = await tb.newKey({ kind: 'temporary' });
    secrets.push(key.secretAccessKey, key.sessionToken ?? '', key.accessKeyId);
    const options = testbedOptions(tb, 'postgres', countingCredentials(key).provider);
    for (let i = 0; i < 2; i++) await (await connectFromConfig(options)).end();
    const finished = r.spans();
    const connects = finished.filter((s) => s.name === 'rdsiam.connect');
    assert.equal(connects.length, 2);
    const [first, second] = connects as [ReadableSpan, ReadableSpan];
    const pg = { 'db.system.name': 'postgresql', ...at(tb.postgres.host, tb.postgres.port) };
    assert.deepEqual(first.attributes, { ...pg, 'rdsiam.connect.attempts': 1 });
    const childrenOf = (span: ReadableSpan) =>
      finished.filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId);
    const children = childrenOf(first);
    assert.deepEqual(children.map((s) => s.name).sort(), ['rdsiam.credentials', 'rdsiam.sign']);
    assert.deepEqual(childrenOf(second), [], 'the second connect uses the cached credentials and token');
    const signedFor = at(tb.postgres.endpoint, tb.postgres.port);
    const sign = children.find((s) => s.name === 'rdsiam.sign')!;
    assert.deepEqual(sign.attributes, {
      ...signedFor,
      'db.user.name': tb.postgres.iamUser,
      'cloud.region': tb.postgres.region,
      'rdsiam.plugin': 'iam',
    });
    const credentials = children.find((s) => s.name === 'rdsiam.credentials')!;
    assert.deepEqual(credentials.attributes, { 'rdsiam.credentials.source': 'chain' });

    const ps = await r.metrics();
    assert.deepEqual(series(ps, 'db.client.connection.create_time', 'HISTOGRAM', 's'), [[pg, 2]]);
    assert.deepEqual(series(ps, 'rdsiam.token.signings', 'COUNTER', '{signing}'), [[signedFor, 1]]);
    assert.deepEqual(series(ps, 'rdsiam.token.cache.lookups', 'COUNTER', '{lookup}'), [
      [{ ...signedFor, 'rdsiam.cache.hit': false }, 1],
      [{ ...signedFor, 'rdsiam.cache.hit': true }, 1],
    ]);
    assert.deepEqual(series(ps, 'rdsiam.token.age', 'HISTOGRAM', 's'), [[signedFor, 2]]);
    const chain = { 'rdsiam.credentials.source': 'chain' };
    assert.deepEqual(series(ps, 'rdsiam.credentials.fetches', 'COUNTER', '{fetch}'), [[chain, 1]]);
    assert.deepEqual(series(ps, 'rdsiam.credentials.fetch.duration', 'HISTOGRAM', 's'), [[chain, 1]]);
    assert.deepEqual(series(ps, 'rdsiam.auth.refusals', 'COUNTER', '{refusal}'), []);
    assert.deepEqual(series(ps, 'rdsiam.connect.retries', 'COUNTER', '{retry}'), []);
  });

  test('refusals, with rdsiam.retried, and a failed connect span with its error class and code', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const r = await recorded(t);
    const unknown = randomCredentials();
    secrets.push(unknown.secretAccessKey, unknown.accessKeyId);
    await assert.rejects(
      connectFromConfig(testbedOptions(tb, 'mysql', countingCredentials(unknown).provider)),
      AuthError,
    );
    // A cached token the verifier stops accepting: refused once, retried.
    const key = await tb.newKey();
    secrets.push(key.secretAccessKey, key.accessKeyId);
    const options = testbedOptions(tb, 'mysql', countingCredentials(key).provider);
    await (await connectFromConfig(options)).end();
    await sleep(2_100);
    await tb.verifier.addKey({ ...key, maxTokenAgeSeconds: 1 });
    await (await connectFromConfig(options)).end();

    const failed = r.spans().filter((s) => s.name === 'rdsiam.connect' && s.status.code === SpanStatusCode.ERROR);
    assert.equal(failed.length, 1);
    assert.deepEqual(failed[0]?.status, { code: SpanStatusCode.ERROR, message: 'AuthError' });
    assert.equal(failed[0]?.attributes['error.type'], 'AuthError');
    assert.equal(failed[0]?.attributes['rdsiam.error.code'], 'RDSIAM_AUTH');
    const ps = await r.metrics();
    const signedFor = at(tb.mysql.endpoint, tb.mysql.port);
    assert.deepEqual(series(ps, 'rdsiam.auth.refusals', 'COUNTER', '{refusal}'), [
      [{ ...signedFor, 'rdsiam.retried': false }, 1],
      [{ ...signedFor, 'rdsiam.retried': true }, 1],
    ]);
    const mysql = { 'db.system.name': 'mysql', ...at(tb.mysql.host, tb.mysql.port) };
    assert.deepEqual(series(ps, 'db.client.connection.create_time', 'HISTOGRAM', 's'), [
      [{ ...mysql, 'error.type': 'AuthError' }, 1],
      [mysql, 2],
    ]);
  });

  test('a credentials failure: both spans in error with class and code, a failed fetch counted', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const r = await recorded(t);
    const failing = async (): Promise<never> => {
      throw new CredentialsProviderError('Could not load credentials from any providers');
    };
    await assert.rejects(connectFromConfig(testbedOptions(tb, 'postgres', failing)), CredentialsError);
    const finished = r.spans();
    const connect = finished.find((s) => s.name === 'rdsiam.connect')!;
    assert.equal(connect.status.code, SpanStatusCode.ERROR);
    assert.equal(connect.attributes['error.type'], 'CredentialsError');
    assert.equal(connect.attributes['rdsiam.error.code'], 'RDSIAM_CREDENTIALS');
    const fetch = finished.filter((s) => s.name === 'rdsiam.credentials');
    assert.equal(fetch.length, 1);
    assert.equal(fetch[0]?.parentSpanContext?.spanId, connect.spanContext().spanId);
    assert.deepEqual(fetch[0]?.status, { code: SpanStatusCode.ERROR, message: 'CredentialsProviderError' });
    assert.deepEqual(fetch[0]?.attributes, {
      'rdsiam.credentials.source': 'chain',
      'error.type': 'CredentialsProviderError',
    });
    const ps = await r.metrics();
    const failedFetch = { 'rdsiam.credentials.source': 'chain', 'error.type': 'CredentialsError' };
    assert.deepEqual(series(ps, 'rdsiam.credentials.fetches', 'COUNTER', '{fetch}'), [[failedFetch, 1]]);
    assert.deepEqual(series(ps, 'rdsiam.credentials.fetch.duration', 'HISTOGRAM', 's'), [[failedFetch, 1]]);
    assert.deepEqual(series(ps, 'rdsiam.token.signings', 'COUNTER', '{signing}'), []);
  });

  for (const engine of ['postgres', 'mysql'] as const) {
    test(`${engine}: each connect retry is one rdsiam:connect:backoff event and one rdsiam.connect.retries increment, by kind`, async (t) => {
      const tb = await requireTestbed(t);
      if (!tb) return;
      const r = await recorded(t);
      // Throttled twice by RDS Proxy, then twice starting up, then through.
      const front = await startFakeFrontEnd(tb, engine, (n) =>
        n < 2 ? THROTTLED[engine] : n < 4 ? STARTING[engine] : { kind: 'relay' },
      );
      const backoffs = collect('rdsiam:connect:backoff');
      try {
        const key = await tb.newKey();
        secrets.push(key.secretAccessKey, key.accessKeyId);
        const s = tb[engine];
        const options = testbedOptions(tb, engine, countingCredentials(key).provider, {
          dsn: `${engine}://${s.iamUser}@127.0.0.1:${front.port}/${s.database}`,
          iam_default_port: s.port,
        });
        await (await connectFromConfig(options)).end();
      } finally {
        backoffs.stop();
        await front.close();
      }
      const where = { 'db.system.name': DB_SYSTEM[engine], ...at('127.0.0.1', front.port) };
      const mine = backoffs.events.filter((e) => e.port === front.port);
      assert.deepEqual(
        mine.map((e) => [e.engine, e.host, e.kind, e.attempt]),
        [
          [engine, '127.0.0.1', 'throttled', 1],
          [engine, '127.0.0.1', 'throttled', 2],
          [engine, '127.0.0.1', 'unavailable', 3],
          [engine, '127.0.0.1', 'unavailable', 4],
        ],
      );
      const ps = await r.metrics();
      assert.deepEqual(series(ps, 'rdsiam.connect.retries', 'COUNTER', '{retry}'), [
        [{ ...where, 'rdsiam.retry.kind': 'throttled' }, mine.filter((e) => e.kind === 'throttled').length],
        [{ ...where, 'rdsiam.retry.kind': 'unavailable' }, mine.filter((e) => e.kind === 'unavailable').length],
      ]);
      assert.deepEqual(series(ps, 'rdsiam.auth.refusals', 'COUNTER', '{refusal}'), [], 'a throttle is no refusal');
      assert.deepEqual(series(ps, 'db.client.connection.create_time', 'HISTOGRAM', 's'), [[where, 1]]);
      const connect = r.spans().filter((span) => span.name === 'rdsiam.connect');
      assert.deepEqual(
        connect.map((span) => span.attributes),
        [{ ...where, 'rdsiam.connect.attempts': 5 }],
      );
    });
  }

  test("a global database endpoint: a rdsiam.global_writer span under the connect, naming the writer's region", async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const r = await recorded(t);
    const key = await tb.newKey();
    secrets.push(key.secretAccessKey, key.accessKeyId);
    rds.clusters = [
      {
        identifier: 'testbed',
        endpoint: tb.postgres.globalEndpoint,
        members: ['us-east-1', 'eu-west-1'].map((region) => ({
          arn: `arn:aws:rds:${region}:123456789012:cluster:testbed-${region}`,
          isWriter: region === 'eu-west-1',
        })),
      },
    ];
    await tb.verifier.addKey({ ...key, region: 'eu-west-1' });
    const options = testbedOptions(tb, 'postgres', countingCredentials(key).provider, {
      iam_host: tb.postgres.globalEndpoint,
      iam_global_region: 'us-east-1',
      ssl: { ca: tb.caPem, servername: tb.postgres.endpoint },
    });
    await (await connectFromConfig(options)).end();
    const finished = r.spans();
    const connect = finished.find((s) => s.name === 'rdsiam.connect')!;
    const writer = finished.filter((s) => s.name === 'rdsiam.global_writer');
    assert.equal(writer.length, 1);
    assert.equal(writer[0]?.parentSpanContext?.spanId, connect.spanContext().spanId);
    assert.deepEqual(writer[0]?.attributes, {
      'rdsiam.global.endpoint': tb.postgres.globalEndpoint,
      'cloud.region': 'us-east-1',
      'rdsiam.global.writer_region': 'eu-west-1',
    });
    const sign = finished.find((s) => s.name === 'rdsiam.sign');
    assert.equal(sign?.attributes['cloud.region'], 'eu-west-1');
  });

  test('leak scan: no exported attribute, status or metric holds a token, secret key, session token or password', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const exported = JSON.stringify({
      metrics: await all.metrics(),
      spans: all.spans().map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events })),
    });
    assert.ok(exported.length > 1000, 'something was exported');
    assert.doesNotMatch(exported, /X-Amz-(Signature|Security-Token|Credential)/);
    for (const secret of [...secrets, tb.mysql.password].filter((s) => s !== '')) {
      assert.ok(!exported.includes(secret), 'a secret, a key id or a password was exported');
    }
  });

  test("docs/observability.md names every exported metric and span, with each one's instrument, unit and attributes", async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const doc = await readFile(join(ROOT, 'docs/observability.md'), 'utf8');
    const rows = (heading: string) => {
      const section = doc.split(`## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
      return section
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) => line.slice(2, -2).split(' | '));
    };
    // Attribute names are the backticked words with a dot (values such as `postgresql` have none).
    const names = (cell: string) => [...cell.matchAll(/`([a-z_.]+\.[a-z_.]+)`/g)].map((m) => m[1]!);
    const metricRows = new Map(rows('Metrics').map((c) => [c[0]!.replaceAll('`', ''), c]));
    const documented = new Map(
      [...metricRows].map(([name, [, instrument = '', attributes = '']]) => {
        const same = /^as `([^`]+)`$/.exec(attributes)?.[1];
        return [
          name,
          {
            kind: instrument.split(',')[0]!.toUpperCase(),
            unit: /`([^`]+)`/.exec(instrument)?.[1],
            attributes: names(same ? (metricRows.get(same)?.[2] ?? '') : attributes),
          },
        ];
      }),
    );
    const exported = await all.metrics();
    assert.deepEqual([...new Set(exported.map((p) => p.name))].sort(), [...documented.keys()].sort());
    for (const p of exported) {
      const d = documented.get(p.name)!;
      assert.deepEqual([p.kind, p.unit], [d.kind, d.unit], p.name);
      for (const a of Object.keys(p.attributes)) assert.ok(d.attributes.includes(a), `${p.name}: ${a} undocumented`);
    }
    const spanRows = new Map(rows('Spans').map((c) => [c[0]!.replaceAll('`', ''), names(c[2] ?? '')]));
    const spans = all.spans();
    assert.deepEqual([...new Set(spans.map((s) => s.name))].sort(), [...spanRows.keys()].sort());
    // A failed operation's two attributes are documented once, under the table.
    const onError = ['error.type', 'rdsiam.error.code'];
    for (const a of onError) assert.match(doc.split('## Spans')[1]!, new RegExp(`\`${a}\``));
    for (const s of spans) {
      for (const a of Object.keys(s.attributes)) {
        assert.ok([...spanRows.get(s.name)!, ...onError].includes(a), `${s.name}: ${a} undocumented`);
      }
    }
  });

  test('the setup example in docs/observability.md runs and exports a connect span and its metrics', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const doc = await readFile(join(ROOT, 'docs/observability.md'), 'utf8');
    const example = /## Setup[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(example, 'the Setup section has a ts block');
    assert.ok(
      example
        .trim()
        .split('\n')
        .filter((l) => l.trim() !== '').length <= 10,
      'a 10-line example',
    );
    // Beside node_modules, so that its imports resolve; rdsiam itself from the sources.
    const dir = join(ROOT, 'node_modules/.cache/rdsiam-otel-example');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `example-${process.pid}.mts`);
    await writeFile(
      file,
      example
        .replace("from 'rdsiam/otel'", `from '${join(ROOT, 'src/otel.ts')}'`)
        .replace("from 'rdsiam'", `from '${join(ROOT, 'src/index.ts')}'`),
    );
    try {
      const key = await tb.newKey();
      const r = await runNode(['--import', 'tsx', file], testbedEnv(tb, 'postgres', key), { cwd: ROOT });
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /name: 'rdsiam\.connect'/);
      assert.match(r.out, /name: 'rdsiam\.sign'/);
      assert.match(r.out, /db\.client\.connection\.create_time/);
      assert.ok(!r.out.includes(key.secretAccessKey));
    } finally {
      await rm(file, { force: true });
    }
  });
});
