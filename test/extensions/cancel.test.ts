import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { KEY_B, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';
import { waitForState } from '../helpers/poll.js';

const FAULT = 'x-atelier-fault';
const CREDITS = 10_000_000;

/** ffmpeg children of this test process (the server runs in it). */
const ffmpegChildren = () => {
  try {
    return execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n').filter((c) => c.includes('ffmpeg'));
  } catch {
    return [];
  }
};

describe('POST /v1/generations/{id}/cancel (extension)', () => {
  let ts: TestServer;
  const balances = async () => (await ts.server.store.db.selectFrom('clients').select('balance_micros').execute()).map((c) => c.balance_micros);
  before(async () => {
    ts = await startTestServer({ workers: '1', credits: '10' });
  });
  after(() => ts.close());

  const cancel = async (id: string, key?: string) => {
    const res = await ts.call('POST', `/v1/generations/${id}/cancel`, { key });
    return { res, body: await res.json() };
  };

  test('a queued generation never runs: it is failed, cancelled_at is set and its hold is refunded', async () => {
    const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'never runs' }, headers: { [FAULT]: 'latency:600000' } })).json();
    assert.equal(created.state, 'queued');
    assert.ok((await balances()).some((b) => b! < CREDITS), 'the price is held');
    const { res, body } = await cancel(created.id);
    assert.equal(res.status, 200);
    assert.equal(body.state, 'failed');
    assert.equal(body.failure_code, 'generation_failed');
    assert.equal(body.failure_reason, 'Generation was cancelled by the client');
    assert.match(body.cancelled_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(await balances(), [CREDITS, CREDITS]);
    const job = await ts.server.store.db.selectFrom('jobs').selectAll().where('generation_id', '=', created.id).executeTakeFirst();
    assert.equal(job, undefined, 'its job is gone');
    assert.deepEqual(await (await ts.call('GET', `/v1/generations/${created.id}`)).json(), body);
  });

  test('a running video job is aborted, its ffmpeg killed, and it is refunded', async () => {
    const body = { prompt: 'a long render', model: 'ray-3.2', type: 'video', video: { resolution: '1080p', duration: '10s' } };
    const created = await (await ts.call('POST', '/v1/generations', { body })).json();
    await waitForState(ts, created.id, 'processing', { timeoutMs: 20_000 });
    const deadline = Date.now() + 20_000;
    while (ffmpegChildren().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(ffmpegChildren().length > 0, 'ffmpeg is running');
    const { res, body: cancelled } = await cancel(created.id);
    assert.equal(res.status, 200);
    assert.equal(cancelled.state, 'failed');
    const gone = Date.now() + 5000;
    while (ffmpegChildren().length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(ffmpegChildren(), []);
    assert.deepEqual(await balances(), [CREDITS, CREDITS]);
    // The aborted worker neither completes it nor runs it again.
    await new Promise((r) => setTimeout(r, 300));
    const after = await (await ts.call('GET', `/v1/generations/${created.id}`)).json();
    assert.equal(after.state, 'failed');
    assert.deepEqual(after.output, []);
  });

  test('a finished generation is a 409; another client’s or an unknown id a 404', async () => {
    const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'fails' }, headers: { [FAULT]: 'corrupt_input' } })).json();
    await waitForGeneration(ts, created.id);
    const { res, body } = await cancel(created.id);
    assert.equal(res.status, 409);
    assert.equal(body.detail, 'Generation is already failed and cannot be cancelled');
    const other = await cancel(created.id, KEY_B);
    assert.equal(other.res.status, 404);
    assert.equal(other.body.detail, 'Generation not found');
    assert.equal((await cancel('not-a-uuid')).res.status, 404);
    assert.equal((await ts.call('GET', `/v1/generations/${created.id}/cancel`)).status, 405);
  });
});

describe('cancel under --strict', () => {
  test('the route does not exist', async () => {
    const ts = await startTestServer({ workers: '0', strict: 'true' });
    try {
      const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'x' } })).json();
      const res = await ts.call('POST', `/v1/generations/${created.id}/cancel`);
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { detail: 'Not Found' });
    } finally {
      await ts.close();
    }
  });
});
