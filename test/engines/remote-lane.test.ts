import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generate, startTestServer, waitForGeneration } from '../helpers/server.js';
import { lumaEntry, startGateway } from '../helpers/gateway.js';

test('waiting on a backend holds no CPU worker: with one worker, local renders finish while remote jobs wait, up to in_flight per engine', async () => {
  const upstream = await startTestServer();
  // Every upstream generation takes 4 s; at most 2 are waited on at once.
  const yaml = `engines:\n${lumaEntry('luma', upstream, '    headers: { X-Atelier-Fault: "latency:4000" }\n    in_flight: 2\n')}models:\n  uni-1:\n    engines: [luma]\n`;
  const gateway = await startGateway(yaml, { workers: '1' });
  try {
    const remote = await Promise.all(
      [0, 1, 2].map(async (i) => (await (await gateway.call('POST', '/v1/generations', { body: { prompt: `remote ${i}` } })).json()).id as string),
    );
    const local = await generate(gateway, { prompt: 'a local preview', model: 'uni-1-max' });
    assert.equal(local.state, 'completed');
    const states = await Promise.all(remote.map(async (id) => (await (await gateway.call('GET', `/v1/generations/${id}`)).json()).state));
    assert.ok(!states.includes('completed'), `the preview did not wait for the upstream jobs: ${states}`);
    assert.equal(states.filter((s) => s === 'processing').length, 2, `two remote jobs in flight, the third queued: ${states}`);
    assert.equal(states.filter((s) => s === 'queued').length, 1, `${states}`);
    for (const id of remote) assert.equal((await waitForGeneration(gateway, id)).state, 'completed');
  } finally {
    await gateway.close();
    await upstream.close();
  }
});
