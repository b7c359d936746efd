import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer, waitForGeneration } from '../helpers/server.js';

/** What 16 submissions in a row end as, on a fresh server with this chaos seed. */
async function outcomes(seed: string): Promise<{ outcomes: string[]; counted: number }> {
  const ts = await startTestServer({ workers: '2', chaos: '0.5', chaosSeed: seed });
  try {
    const ids: Array<string | null> = [];
    const outcomes: string[] = [];
    for (let i = 0; i < 16; i++) {
      const res = await ts.call('POST', '/v1/generations', { body: { prompt: `chaos ${i}`, aspect_ratio: '1:3' } });
      const body = await res.json();
      outcomes.push(res.status === 201 ? '' : `http:${res.status}`);
      ids.push(res.status === 201 ? body.id : null);
    }
    for (const [i, id] of ids.entries()) {
      if (id) outcomes[i] = (await waitForGeneration(ts, id)).failure_code ?? 'completed';
    }
    const text = await (await fetch(`${ts.url}/metrics`)).text();
    const counted = text
      .split('\n')
      .filter((l) => l.startsWith('atelier_faults_injected_total{') && l.includes('source="chaos"'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    return { outcomes, counted };
  } finally {
    await ts.close();
  }
}

test('chaos at a rate gives the same random faults for the same seed, and others for another seed', { timeout: 180_000 }, async () => {
  const first = await outcomes('7');
  const again = await outcomes('7');
  assert.deepEqual(again.outcomes, first.outcomes);
  const faulted = first.outcomes.filter((o) => o !== 'completed').length;
  assert.ok(faulted > 0 && faulted < 16, `some but not all of ${first.outcomes.join(', ')}`);
  assert.equal(first.counted, faulted, 'every chaos fault is counted in /metrics');
  for (const outcome of first.outcomes) {
    assert.ok(['completed', 'http:429', 'http:500', 'http:502', 'http:503', 'generation_failed', 'output_not_found', 'rate_limited'].includes(outcome), outcome);
  }
  const other = await outcomes('8');
  assert.notDeepEqual(other.outcomes, first.outcomes);
});
