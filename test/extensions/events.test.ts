import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KEY_A, KEY_B, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';
import { readEvents } from '../helpers/sse.js';

const FAULT = 'x-atelier-fault';
const auth = (key = KEY_A) => ({ authorization: `Bearer ${key}` });

describe('Server-Sent Events (extension)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '1' });
  });
  after(() => ts.close());

  test('a generation’s stream shows where it stands, each state change, and ends at the terminal state', async () => {
    const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'streamed' }, headers: { [FAULT]: 'latency:2000' } })).json();
    const events = await readEvents(`${ts.url}/v1/generations/${created.id}/events`, auth());
    const types = events.map((e) => e.event).filter((t) => t !== 'generation.progress');
    // Queued for a quarter of its latency: a slow machine may connect once it is processing.
    assert.ok(['generation.queued', 'generation.processing'].includes(types[0]), types[0]);
    assert.deepEqual(types.slice(-2), ['generation.processing', 'generation.completed']);
    const last = events[events.length - 1];
    assert.equal(last.data.data.id, created.id);
    assert.equal(last.data.data.state, 'completed');
    assert.match(last.data.data.output[0].url, /\/v1\/blobs\//);
    assert.ok(events.filter((e) => e.event !== 'generation.progress' && e.event !== 'generation.queued').every((e) => /^\d+$/.test(e.id!)));

    // Reconnecting after the processing event replays the completion.
    const processing = events.find((e) => e.event === 'generation.processing')!;
    const replay = await readEvents(`${ts.url}/v1/generations/${created.id}/events`, { ...auth(), 'last-event-id': processing.id! });
    assert.deepEqual(replay.map((e) => e.event), ['generation.completed']);
    assert.equal(replay[0].id, last.id);

    // A finished generation's stream is its terminal state, at once.
    const done = await readEvents(`${ts.url}/v1/generations/${created.id}/events`, auth());
    assert.deepEqual(done.map((e) => e.event), ['generation.completed']);
  });

  test('the client stream carries every generation’s changes and replays from Last-Event-ID; never another client’s', async () => {
    const seen = readEvents(`${ts.url}/v1/events`, auth(), (events) => events.filter((e) => e.event === 'generation.failed' || e.event === 'generation.completed').length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    await ts.call('POST', '/v1/generations', { body: { prompt: 'other client' }, key: KEY_B });
    const a = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'a' } })).json();
    const b = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'b' }, headers: { [FAULT]: 'content_moderated' } })).json();
    const events = await seen;
    const ended = events.filter((e) => e.event === 'generation.completed' || e.event === 'generation.failed');
    assert.deepEqual(new Set(ended.map((e) => e.data.data.id)), new Set([a.id, b.id]));
    assert.equal(ended.find((e) => e.data.data.id === b.id)!.data.data.failure_code, 'content_moderated');

    const first = events.find((e) => e.id)!;
    const replay = await readEvents(`${ts.url}/v1/events`, { ...auth(), 'last-event-id': first.id! }, (got) => got.filter((e) => e.id).length >= events.filter((e) => e.id).length - 1);
    assert.deepEqual(replay.filter((e) => e.id).map((e) => e.id), events.filter((e) => e.id).slice(1).map((e) => e.id));
  });

  test('a video job streams its progress with a stage', async () => {
    const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'progress', model: 'ray-3.2', type: 'video', video: { resolution: '720p' } } })).json();
    const events = await readEvents(`${ts.url}/v1/generations/${created.id}/events`, auth(), () => false, 60_000);
    const progress = events.filter((e) => e.event === 'generation.progress').map((e) => e.data.progress);
    assert.ok(progress.length >= 2, `progress events: ${JSON.stringify(progress)}`);
    assert.ok(progress.every((p) => p.fraction >= 0 && p.fraction <= 1 && typeof p.stage === 'string'));
    assert.equal(events[events.length - 1].event, 'generation.completed');
    await waitForGeneration(ts, created.id);
  });

  test('an unknown or foreign generation is a 404', async () => {
    const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'mine' } })).json();
    const res = await fetch(`${ts.url}/v1/generations/${created.id}/events`, { headers: auth(KEY_B) });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { detail: 'Generation not found' });
  });
});
