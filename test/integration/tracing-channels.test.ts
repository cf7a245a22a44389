// The TracingChannels, subscribed to directly as a tool consuming mysql2's would, against the test bed: each
// operation's life cycle, its context and result, its place inside the connect, its error, and no secret in any of it.
import assert from 'node:assert/strict';
import { tracingChannel } from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import { AuthError, connectFromConfig } from '../../src/index.js';
import { fingerprint } from '../../src/secret.js';
import type { RdsIamTrace } from '../../src/tracing.js';
import { countingCredentials } from '../support/credentials.js';
import { collect } from '../support/events.js';
import { testbedOptions } from '../support/testbed-config.js';
import { requireTestbed } from '../support/testbed.js';
import { randomCredentials } from '../testbed/keys.js';

const TRACES: readonly RdsIamTrace[] = ['rdsiam:connect', 'rdsiam:credentials', 'rdsiam:sign', 'rdsiam:global-writer'];
interface Seen {
  trace: RdsIamTrace;
  phase: 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';
  /** The context as it was at that phase (the result and error are added as the operation goes). */
  context: Record<string, unknown>;
}

/** Subscribes to every phase of every channel until `stop()`. */
function watch(): { seen: Seen[]; stop(): void } {
  const seen: Seen[] = [];
  const stops = TRACES.map((trace) => {
    const channel = tracingChannel<object, Record<string, unknown>>(trace);
    const record = (phase: Seen['phase']) => (context: Record<string, unknown>) =>
      void seen.push({ trace, phase, context: { ...context } });
    const handlers = {
      start: record('start'),
      end: record('end'),
      asyncStart: record('asyncStart'),
      asyncEnd: record('asyncEnd'),
      error: record('error'),
    };
    channel.subscribe(handlers);
    return () => void channel.unsubscribe(handlers);
  });
  return {
    seen,
    stop: () => {
      for (const stop of stops) stop();
    },
  };
}

const phasesOf = (seen: Seen[], trace: RdsIamTrace) => seen.filter((s) => s.trace === trace).map((s) => s.phase);
const at = (seen: Seen[], trace: RdsIamTrace, phase: Seen['phase']) =>
  seen.findIndex((s) => s.trace === trace && s.phase === phase);

describe('TracingChannels', () => {
  test('a connect: connect, credentials and sign, each start to asyncEnd, inside the connect, with summaries', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const key = await tb.newKey({ kind: 'temporary' });
    const watched = watch();
    const signed = collect('rdsiam:token:signed');
    try {
      await (await connectFromConfig(testbedOptions(tb, 'postgres', countingCredentials(key).provider))).end();
    } finally {
      watched.stop();
      signed.stop();
    }
    const { seen } = watched;
    for (const trace of ['rdsiam:connect', 'rdsiam:credentials', 'rdsiam:sign'] as const) {
      assert.deepEqual(phasesOf(seen, trace), ['start', 'end', 'asyncStart', 'asyncEnd'], trace);
    }
    assert.deepEqual(phasesOf(seen, 'rdsiam:global-writer'), [], 'no global endpoint, no lookup');
    for (const trace of ['rdsiam:credentials', 'rdsiam:sign'] as const) {
      assert.ok(at(seen, 'rdsiam:connect', 'start') < at(seen, trace, 'start'), `${trace} starts inside the connect`);
      assert.ok(at(seen, trace, 'asyncEnd') < at(seen, 'rdsiam:connect', 'asyncEnd'), `${trace} ends inside it`);
    }
    const ended = (trace: RdsIamTrace) => seen[at(seen, trace, 'asyncEnd')]?.context;
    assert.deepEqual(ended('rdsiam:connect'), {
      engine: 'postgres',
      host: tb.postgres.host,
      port: tb.postgres.port,
      result: { attempts: 1 },
    });
    const credentials = ended('rdsiam:credentials')!;
    assert.deepEqual(
      [credentials['source'], credentials['profile'], credentials['roleArn']],
      ['chain', undefined, undefined],
    );
    assert.deepEqual(credentials['result'], {
      accessKeyFingerprint: fingerprint(key.accessKeyId),
      expiresAt: null, // the test bed's keys carry no expiry
    });
    assert.deepEqual(ended('rdsiam:sign'), {
      plugin: 'iam',
      host: tb.postgres.endpoint,
      port: tb.postgres.port,
      user: tb.postgres.iamUser,
      region: tb.postgres.region,
      result: { fingerprint: signed.events[0]?.fingerprint },
    });
    const published = JSON.stringify(seen);
    for (const secret of [key.secretAccessKey, key.sessionToken, key.accessKeyId]) {
      if (secret) assert.ok(!published.includes(secret), 'a key was published on a tracing channel');
    }
    assert.doesNotMatch(published, /X-Amz-(Signature|Security-Token|Credential)/);
  });

  test('a refused login: the connect publishes error with the AuthError, then ends', async (t) => {
    const tb = await requireTestbed(t);
    if (!tb) return;
    const watched = watch();
    try {
      await assert.rejects(
        connectFromConfig(testbedOptions(tb, 'mysql', countingCredentials(randomCredentials()).provider)),
        AuthError,
      );
    } finally {
      watched.stop();
    }
    const { seen } = watched;
    assert.deepEqual(phasesOf(seen, 'rdsiam:connect'), ['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    const error = seen[at(seen, 'rdsiam:connect', 'error')]?.context['error'];
    assert.ok(error instanceof AuthError, String(error));
    assert.deepEqual(phasesOf(seen, 'rdsiam:sign'), ['start', 'end', 'asyncStart', 'asyncEnd'], 'signing succeeded');
  });
});
