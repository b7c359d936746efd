import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lumaEntry, startGateway } from '../helpers/gateway.js';
import { startTestServer, waitForGeneration } from '../helpers/server.js';

test("a job waiting for its remote engine's in_flight room is queued for reason backend, counted within that engine's line", { timeout: 60_000 }, async () => {
  const upstream = await startTestServer();
  // Every upstream generation takes 3 s; the engine takes one at a time.
  const yaml = `engines:\n${lumaEntry('luma', upstream, '    headers: { X-Atelier-Fault: "latency:3000" }\n    in_flight: 1\n')}models:\n  uni-1:\n    engines: [luma]\n`;
  const gateway = await startGateway(yaml, { workers: '1' });
  try {
    const submit = async (prompt: string) => (await (await gateway.call('POST', '/v1/generations', { body: { prompt } })).json()).id as string;
    const first = await submit('remote 0');
    const deadline = Date.now() + 10_000;
    while ((await (await gateway.call('GET', `/v1/generations/${first}`)).json()).state !== 'processing') {
      assert.ok(Date.now() < deadline, 'the first job was taken');
      await new Promise((r) => setTimeout(r, 25));
    }
    const waiting = [await submit('remote 1'), await submit('remote 2')];
    // Positions are read from a snapshot that may lag the first claim by a few ms: poll until it caught up.
    const read = () => Promise.all(waiting.map(async (id) => (await (await gateway.call('GET', `/v1/generations/${id}`)).json()).queue));
    let queues = await read();
    for (const settled = Date.now() + 5000; queues.some((q) => q?.reason !== 'backend') && Date.now() < settled; queues = await read()) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(queues, [
      { position: 1, reason: 'backend' },
      { position: 2, reason: 'backend' },
    ]);
    for (const id of [first, ...waiting]) assert.equal((await waitForGeneration(gateway, id)).state, 'completed');
  } finally {
    await gateway.close();
    await upstream.close();
  }
});

test('with no worker process running, a queued job waits for a worker, not for its backend', async () => {
  const upstream = await startTestServer({ workers: '0' });
  const yaml = `engines:\n${lumaEntry('luma', upstream, '    in_flight: 1\n')}models:\n  uni-1:\n    engines: [luma]\n`;
  const gateway = await startGateway(yaml, { workers: '0' });
  try {
    const ids = [];
    for (const prompt of ['a', 'b']) ids.push((await (await gateway.call('POST', '/v1/generations', { body: { prompt } })).json()).id);
    const local = await (await gateway.call('POST', '/v1/generations', { body: { prompt: 'local', model: 'uni-1-max' } })).json();
    const queue = async (id: string) => (await (await gateway.call('GET', `/v1/generations/${id}`)).json()).queue;
    assert.deepEqual(await queue(ids[1]), { position: 2, reason: 'worker' });
    assert.deepEqual(await queue(local.id), { position: 1, reason: 'worker' }, 'local work is a line of its own');
  } finally {
    await gateway.close();
    await upstream.close();
  }
});
