import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { benchChart } from '../../scripts/bench-chart.js';

const docs = new URL('../../docs/', import.meta.url);

describe('the benchmark chart', () => {
  it('docs/benchmarks.svg is drawn from docs/benchmarks.json (run `npm run bench:chart -- docs/benchmarks.json`)', () => {
    const data = JSON.parse(readFileSync(new URL('benchmarks.json', docs), 'utf8'));
    assert.equal(readFileSync(new URL('benchmarks.svg', docs), 'utf8'), benchChart(data));
  });

  it('draws the rows a run measured, a throughput ratio as a time ratio, and escapes text', () => {
    const svg = benchChart({
      date: '2026-12-03T00:00:00Z',
      machine: 'a <b> & c',
      vsPeer: { pg: 0.8 },
      poolChurnVsStatic: 0.5,
    });
    assert.match(svg, /vs AWS wrapper, pg<\/text>/);
    assert.match(svg, />0\.80</);
    assert.match(svg, />2\.00</, 'a throughput ratio of 0.5 is twice the time');
    assert.doesNotMatch(svg, /vs AWS wrapper, mysql/, 'a row the run did not measure is left out');
    assert.match(svg, /a &lt;b&gt; &amp; c/);
  });
});
