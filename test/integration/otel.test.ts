// rdsiam/otel against the test bed: metric and span names, units, attributes and values, with the SDK's in-memory
// readers and exporters; a leak scan of every exported attribute; and the documented setup example, run.
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { AuthError, connectFromConfig } from '../../src/index.js';
import { registerOpenTelemetry } from '../../src/otel.js';
import { requireTestbed } from '../support/testbed.js';
import { countingCredentials } from '../support/credentials.js';
import { testbedEnv, testbedOptions } from '../support/testbed-config.js';
import { startFakeFrontEnd } from '../support/fake-front-end.js';
import { randomCredentials } from '../testbed/keys.js';
import { runNode } from '../support/run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

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
  unit: string;
  attributes: Record<string, unknown>;
  value: number;
  count?: number;
}

function points(resource: ResourceMetrics): Point[] {
  return resource.scopeMetrics.flatMap((scope) =>
    scope.metrics.flatMap((m) =>
      m.dataPoints.map((p) => {
        const v = p.value as number | { count: number; sum?: number };
        return {
          name: m.descriptor.name,
          unit: m.descriptor.unit,
          attributes: p.attributes,
          value: typeof v === 'number' ? v : (v.sum ?? 0),
          ...(typeof v === 'number' ? {} : { count: v.count }),
        };
      }),
    ),
  );
}

const reader = new TestReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
let stop: (() => void) | undefined;
const secrets: string[] = [];

before(() => {
  stop = registerOpenTelemetry({ meterProvider, tracerProvider });
});
after(async () => {
  stop?.();
  await meterProvider.shutdown();
});

const mine = (host: string, port: number) => (p: Point) =>
  p.attributes['server.address'] === host && p.attributes['server.port'] === port;

describe('rdsiam/otel', () => {
  test('a connect: one rdsiam.connect span with credentials and sign children, and the metrics of it', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey({ kind: 'temporary' });
    secrets.push(key.secretAccessKey, key.sessionToken ?? '', key.accessKeyId);
    const options = testbedOptions(tb, 'postgres', countingCredentials(key).provider);
    spans.reset();
    for (let i = 0; i < 2; i++) await (await connectFromConfig(options)).end();
    const finished = spans.getFinishedSpans();
    const connects = finished.filter((s) => s.name === 'rdsiam.connect');
    assert.equal(connects.length, 2);
    const [first] = connects as [ReadableSpan];
    assert.deepEqual(first.attributes, {
      'db.system.name': 'postgresql',
      'server.address': tb.postgres.host,
      'server.port': tb.postgres.port,
      'rdsiam.connect.attempts': 1,
    });
    const children = finished.filter((s) => s.parentSpanContext?.spanId === first.spanContext().spanId);
    assert.deepEqual(children.map((s) => s.name).sort(), ['rdsiam.credentials', 'rdsiam.sign']);
    const sign = children.find((s) => s.name === 'rdsiam.sign')!;
    assert.deepEqual(sign.attributes, {
      'server.address': tb.postgres.endpoint,
      'server.port': tb.postgres.port,
      'db.user.name': tb.postgres.iamUser,
      'cloud.region': tb.postgres.region,
      'rdsiam.plugin': 'iam',
    });
    const credentials = children.find((s) => s.name === 'rdsiam.credentials')!;
    assert.deepEqual(credentials.attributes, { 'rdsiam.credentials.source': 'chain' });

    const all = points((await reader.collect()).resourceMetrics);
    const created = all.filter(
      (p) => p.name === 'db.client.connection.create_time' && mine(tb!.postgres.host, tb!.postgres.port)(p),
    );
    assert.equal(created.length, 1);
    assert.equal(created[0]?.unit, 's');
    assert.ok((created[0]?.count ?? 0) >= 2);
    assert.deepEqual(created[0]?.attributes, {
      'db.system.name': 'postgresql',
      'server.address': tb.postgres.host,
      'server.port': tb.postgres.port,
    });
    const forEndpoint = all.filter(mine(tb.postgres.endpoint, tb.postgres.port));
    const byName = (name: string) => forEndpoint.filter((p) => p.name === name);
    assert.ok(byName('rdsiam.token.signings').every((p) => p.unit === '{signing}'));
    const hits = byName('rdsiam.token.cache.lookups');
    assert.ok(hits.some((p) => p.attributes['rdsiam.cache.hit'] === true && p.value >= 1));
    assert.ok(hits.some((p) => p.attributes['rdsiam.cache.hit'] === false && p.value >= 1));
    const ages = byName('rdsiam.token.age');
    assert.ok(ages.length === 1 && ages[0]?.unit === 's' && (ages[0]?.count ?? 0) >= 2);
    const fetches = all.filter((p) => p.name === 'rdsiam.credentials.fetches');
    assert.ok(fetches.some((p) => p.attributes['rdsiam.credentials.source'] === 'chain' && p.value >= 1));
    const duration = all.find((p) => p.name === 'rdsiam.credentials.fetch.duration');
    assert.equal(duration?.unit, 's');
  });

  test('refusals, with rdsiam.retried, and a failed connect span with its error class and code', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const unknown = randomCredentials();
    secrets.push(unknown.secretAccessKey, unknown.accessKeyId);
    spans.reset();
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

    const failed = spans.getFinishedSpans().find((s) => s.name === 'rdsiam.connect' && s.status.code === 2);
    assert.equal(failed?.attributes['error.type'], 'AuthError');
    assert.equal(failed?.attributes['rdsiam.error.code'], 'RDSIAM_AUTH');
    const refusals = points((await reader.collect()).resourceMetrics).filter(
      (p) => p.name === 'rdsiam.auth.refusals' && mine(tb!.mysql.endpoint, tb!.mysql.port)(p),
    );
    assert.ok(refusals.some((p) => p.attributes['rdsiam.retried'] === false && p.value >= 1));
    assert.ok(refusals.some((p) => p.attributes['rdsiam.retried'] === true && p.value >= 1));
  });

  test('connect retries are counted by kind, and the connect span says how many attempts it took', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const front = await startFakeFrontEnd(tb, 'postgres', (n) =>
      n < 2 ? { kind: 'error', code: '57P03', message: 'the database system is starting up' } : { kind: 'relay' },
    );
    spans.reset();
    try {
      const key = await tb.newKey();
      secrets.push(key.secretAccessKey, key.accessKeyId);
      const options = testbedOptions(tb, 'postgres', countingCredentials(key).provider, {
        dsn: `postgres://${tb.postgres.iamUser}@127.0.0.1:${front.port}/${tb.postgres.database}`,
        iam_default_port: tb.postgres.port,
      });
      await (await connectFromConfig(options)).end();
    } finally {
      await front.close();
    }
    const connect = spans.getFinishedSpans().find((s) => s.name === 'rdsiam.connect');
    assert.equal(connect?.attributes['rdsiam.connect.attempts'], 3);
    const retries = points((await reader.collect()).resourceMetrics).filter(
      (p) => p.name === 'rdsiam.connect.retries' && p.attributes['server.port'] === front.port,
    );
    assert.deepEqual(
      retries.map((p) => [p.unit, p.attributes['rdsiam.retry.kind'], p.value]),
      [['{retry}', 'unavailable', 2]],
    );
  });

  test('leak scan: no exported attribute, status or metric holds a token, secret key, session token or password', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const exported = JSON.stringify({
      metrics: points((await reader.collect()).resourceMetrics),
      spans: spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, status: s.status })),
    });
    assert.ok(exported.length > 1000, 'something was exported');
    assert.doesNotMatch(exported, /X-Amz-(Signature|Security-Token|Credential)/);
    for (const secret of [...secrets, tb.mysql.password].filter((s) => s !== '')) {
      assert.ok(!exported.includes(secret), 'a secret, a key id or a password was exported');
    }
  });

  test('the setup example in docs/observability.md runs and exports a connect span and its metrics', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const doc = await readFile(join(ROOT, 'docs/observability.md'), 'utf8');
    const example = /## Setup[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(example, 'the Setup section has a ts block');
    assert.ok(example.trim().split('\n').length <= 14, 'a short example');
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
