import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

const FAULT = 'x-atelier-fault';

describe('Prefer: wait (extension)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '1' });
  });
  after(() => ts.close());

  test('the 201 waits for the generation to end and is the finished object', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'sync' }, headers: { prefer: 'wait=20', [FAULT]: 'latency:400' } });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('preference-applied'), 'wait=20');
    const body = await res.json();
    assert.equal(body.state, 'completed');
    assert.equal(body.output.length, 1);
  });

  test('past N seconds it answers with the generation as it stands', async () => {
    const started = performance.now();
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'slow' }, headers: { prefer: 'wait=1', [FAULT]: 'latency:60000' } });
    const ms = performance.now() - started;
    assert.equal(res.status, 201);
    assert.ok(ms >= 950 && ms < 5000, `${ms} ms`);
    assert.ok(['queued', 'processing'].includes((await res.json()).state));
  });

  test('a wait over 60 s is read as 60; other preferences are ignored', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'capped' }, headers: { prefer: 'respond-async, wait=600' } });
    assert.equal(res.headers.get('preference-applied'), 'wait=60');
    const plain = await ts.call('POST', '/v1/generations', { body: { prompt: 'plain' }, headers: { prefer: 'respond-async' } });
    assert.equal(plain.headers.get('preference-applied'), null);
    assert.equal((await plain.json()).state, 'queued');
  });
});
