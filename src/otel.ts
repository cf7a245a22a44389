// `rdsiam/otel`: OpenTelemetry metrics and spans from rdsiam's diagnostics channels. The only module that loads
// @opentelemetry/api (an optional peer); importing `rdsiam` itself never does.
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import {
  context as otelContext,
  metrics,
  SpanStatusCode,
  trace,
  type Attributes,
  type MeterProvider,
  type Span,
  type TracerProvider,
} from '@opentelemetry/api';
import type { RdsIamChannel, RdsIamEvents } from './events.js';
import type { RdsIamTrace, RdsIamTraces } from './tracing.js';

export interface OpenTelemetryOptions {
  /** Default: the global one (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider;
  /** Default: the global one (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
}

const SCOPE = 'rdsiam';

/** Span names, by tracing channel. */
export const SPAN_NAMES: Readonly<Record<RdsIamTrace, string>> = {
  'rdsiam:connect': 'rdsiam.connect',
  'rdsiam:credentials': 'rdsiam.credentials',
  'rdsiam:sign': 'rdsiam.sign',
  'rdsiam:global-writer': 'rdsiam.global_writer',
};

// The OpenTelemetry database semantic conventions' names for the engines (db.system.name).
const DB_SYSTEM = { postgres: 'postgresql', mysql: 'mysql' } as const;

type Context<K extends RdsIamTrace> = RdsIamTraces[K] & { error?: unknown };

function server(host: string, port: number): Attributes {
  return { 'server.address': host, 'server.port': port };
}

/** What a span of each operation says: where and for whom, never a credential. */
function spanAttributes<K extends RdsIamTrace>(name: K, context: Context<K>): Attributes {
  const c = context as Context<RdsIamTrace> & Record<string, unknown>;
  switch (name) {
    case 'rdsiam:connect': {
      const { engine, host, port } = c as Context<'rdsiam:connect'>;
      return { 'db.system.name': DB_SYSTEM[engine], ...server(host, port) };
    }
    case 'rdsiam:credentials': {
      const { source, profile } = c as Context<'rdsiam:credentials'>;
      return { 'rdsiam.credentials.source': source, ...(profile !== undefined && { 'rdsiam.aws.profile': profile }) };
    }
    case 'rdsiam:sign': {
      const { host, port, user, region, plugin } = c as Context<'rdsiam:sign'>;
      return { ...server(host, port), 'db.user.name': user, 'cloud.region': region, 'rdsiam.plugin': plugin };
    }
    default: {
      const { endpoint, homeRegion } = c as Context<'rdsiam:global-writer'>;
      return { 'rdsiam.global.endpoint': endpoint, 'cloud.region': homeRegion };
    }
  }
}

/** The class and code of a failure, for `error.type` and `rdsiam.error.code`; never its message's details. */
function errorAttributes(error: unknown): Attributes {
  const name = error instanceof Error ? error.name : typeof error;
  const code = (error as { code?: unknown } | null)?.code;
  return { 'error.type': name, ...(typeof code === 'string' && { 'rdsiam.error.code': code }) };
}

interface Instruments {
  createTime: ReturnType<ReturnType<MeterProvider['getMeter']>['createHistogram']>;
}

/**
 * Subscribes OpenTelemetry instruments and a tracer to rdsiam's diagnostics and tracing channels. Returns the function
 * that unsubscribes them. Costs nothing until called: rdsiam builds no event or span context without a subscriber.
 */
export function registerOpenTelemetry(options: OpenTelemetryOptions = {}): () => void {
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const undo: (() => void)[] = [];

  const createTime: Instruments['createTime'] = meter.createHistogram('db.client.connection.create_time', {
    unit: 's',
    description: 'The time it took to open a new connection, retries included.',
  });
  const signings = meter.createCounter('rdsiam.token.signings', {
    unit: '{signing}',
    description: 'IAM tokens signed.',
  });
  const lookups = meter.createCounter('rdsiam.token.cache.lookups', {
    unit: '{lookup}',
    description: 'Token requests: served from the cache (rdsiam.cache.hit true) or signed (false).',
  });
  const fetches = meter.createCounter('rdsiam.credentials.fetches', {
    unit: '{fetch}',
    description: 'AWS credential fetches from a provider, failed ones with error.type.',
  });
  const fetchDuration = meter.createHistogram('rdsiam.credentials.fetch.duration', {
    unit: 's',
    description: 'How long a credential fetch took.',
  });
  const refusals = meter.createCounter('rdsiam.auth.refusals', {
    unit: '{refusal}',
    description: 'Logins the database refused; rdsiam.retried says whether one retry with a fresh token followed.',
  });
  const retries = meter.createCounter('rdsiam.connect.retries', {
    unit: '{retry}',
    description: 'New connections tried again after a transient server state (rdsiam.retry.kind).',
  });
  const tokenAge = meter.createHistogram('rdsiam.token.age', {
    unit: 's',
    description: 'The age of a token when it is handed to a driver (0 when just signed).',
  });

  const on = <K extends RdsIamChannel>(name: K, listener: (event: RdsIamEvents[K]) => void): void => {
    const handler = (message: unknown) => listener(message as RdsIamEvents[K]);
    subscribe(name, handler);
    undo.push(() => void unsubscribe(name, handler));
  };
  on('rdsiam:token:signed', (e) => {
    signings.add(1, server(e.host, e.port));
    lookups.add(1, { ...server(e.host, e.port), 'rdsiam.cache.hit': false });
    tokenAge.record(0, server(e.host, e.port));
  });
  on('rdsiam:token:cache-hit', (e) => {
    lookups.add(1, { ...server(e.host, e.port), 'rdsiam.cache.hit': true });
    tokenAge.record(e.ageMs / 1000, server(e.host, e.port));
  });
  on('rdsiam:credentials:fetched', (e) => {
    fetches.add(1, { 'rdsiam.credentials.source': e.source });
    fetchDuration.record(e.durationMs / 1000, { 'rdsiam.credentials.source': e.source });
  });
  on('rdsiam:credentials:failed', (e) => {
    const attributes = { 'rdsiam.credentials.source': e.source, 'error.type': 'CredentialsError' };
    fetches.add(1, attributes);
    fetchDuration.record(e.durationMs / 1000, attributes);
  });
  on('rdsiam:connect:retry', (e) => refusals.add(1, { ...server(e.host, e.port), 'rdsiam.retried': true }));
  on('rdsiam:connect:refused', (e) => refusals.add(1, { ...server(e.host, e.port), 'rdsiam.retried': false }));
  on('rdsiam:connect:backoff', (e) =>
    retries.add(1, { 'db.system.name': DB_SYSTEM[e.engine], ...server(e.host, e.port), 'rdsiam.retry.kind': e.kind }),
  );

  // Spans: the connect span is the parent of the credentials, signing and writer lookups it runs, through a store
  // bound to the channels' start events; outside a connect, the application's active span is the parent.
  const current = new AsyncLocalStorage<Span>();
  for (const name of Object.keys(SPAN_NAMES) as RdsIamTrace[]) {
    const channel = tracingChannel<object, Context<typeof name>>(name);
    const started = new WeakMap<object, { span: Span; at: number }>();
    channel.start.bindStore(current, (context) => {
      const parent = current.getStore();
      const span = tracer.startSpan(
        SPAN_NAMES[name],
        { attributes: spanAttributes(name, context) },
        parent ? trace.setSpan(otelContext.active(), parent) : otelContext.active(),
      );
      started.set(context, { span, at: performance.now() });
      return span;
    });
    const handlers = {
      start() {},
      end() {},
      asyncStart() {},
      error(context: Context<typeof name>) {
        const found = started.get(context);
        if (found === undefined) return;
        found.span.setAttributes(errorAttributes(context.error));
        found.span.setStatus({
          code: SpanStatusCode.ERROR,
          message: String(errorAttributes(context.error)['error.type']),
        });
      },
      asyncEnd(context: Context<typeof name>) {
        const found = started.get(context);
        if (found === undefined) return;
        started.delete(context);
        const seconds = (performance.now() - found.at) / 1000;
        if (name === 'rdsiam:connect') {
          const c = context as Context<'rdsiam:connect'>;
          if (c.result) found.span.setAttribute('rdsiam.connect.attempts', c.result.attempts);
          createTime.record(seconds, {
            'db.system.name': DB_SYSTEM[c.engine],
            ...server(c.host, c.port),
            ...(c.error !== undefined && { 'error.type': errorAttributes(c.error)['error.type'] }),
          });
        }
        if (name === 'rdsiam:global-writer') {
          const region = (context as Context<'rdsiam:global-writer'>).result?.region;
          if (region) found.span.setAttribute('rdsiam.global.writer_region', region);
        }
        found.span.end();
      },
    };
    channel.subscribe(handlers);
    undo.push(() => {
      channel.unsubscribe(handlers);
      channel.start.unbindStore(current);
    });
  }
  return () => {
    for (const u of undo.splice(0)) u();
  };
}
