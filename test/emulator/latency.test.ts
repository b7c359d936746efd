import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerationRequest } from '../../src/contract/index.js';
import { emulationStep, planEmulation } from '../../src/emulator/emulation.js';
import { waitForState } from '../helpers/poll.js';
import { startTestServer, waitForGeneration } from '../helpers/server.js';

const ADMIN = 'latency-admin-token';

const request = (overrides: Partial<GenerationRequest> & Record<string, unknown> = {}): GenerationRequest => ({
  prompt: 'a lighthouse at dusk',
  model: 'uni-1',
  type: 'image',
  aspect_ratio: null,
  style: 'auto',
  output_format: null,
  web_search: false,
  user_id: null,
  source: null,
  image_ref: [],
  ...overrides,
});

const realistic = { latency: { kind: 'realistic' as const }, timeScale: 1 };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

test('realistic uni-1 takes 15–60 s with a median near 30 s, the same for the same request', () => {
  const totals = Array.from({ length: 400 }, (_, i) => planEmulation(request({ prompt: `prompt ${i}` }), realistic)!.done_after_ms);
  assert.ok(totals.every((ms) => ms >= 15_000 && ms <= 60_000), `${Math.min(...totals)}..${Math.max(...totals)}`);
  assert.ok(Math.abs(median(totals) - 30_000) < 4_000, `median ${median(totals)}`);
  assert.deepEqual(planEmulation(request({ prompt: 'prompt 7' }), realistic), planEmulation(request({ prompt: 'prompt 7' }), realistic));
  assert.notDeepEqual(planEmulation(request({ prompt: 'prompt 7' }), realistic), planEmulation(request({ prompt: 'prompt 8' }), realistic));
});

test('realistic: web_search adds seconds, a 5 s 720p video takes under 2 minutes, time-scale compresses', () => {
  for (let i = 0; i < 100; i++) {
    const base = request({ prompt: `p${i}` });
    const plain = planEmulation(base, realistic)!.done_after_ms;
    const searched = planEmulation({ ...base, web_search: true }, realistic)!.done_after_ms;
    assert.ok(searched >= 18_000 && searched <= 68_000, `web_search takes ${searched} ms`);
    const video = planEmulation(request({ prompt: `v${i}`, model: 'ray-3.2', type: 'video', video: { resolution: '720p', duration: '5s' } as GenerationRequest['video'] }), realistic)!;
    assert.ok(video.done_after_ms >= 40_000 && video.done_after_ms < 120_000, `video ${video.done_after_ms}`);
    const scaled = planEmulation(base, { ...realistic, timeScale: 0.01 })!.done_after_ms;
    assert.ok(Math.abs(scaled - plain * 0.01) <= 1, `${scaled} is a hundredth of ${plain}`);
  }
});

test('a plan shows queued, then processing, then runs', () => {
  const plan = planEmulation(request(), { latency: { kind: 'fixed', ms: 1000 }, timeScale: 1 })!;
  assert.deepEqual(plan, { processing_after_ms: 250, done_after_ms: 1000 });
  assert.deepEqual(emulationStep(plan, 0, 100), { kind: 'wait', until: 250, processing: false });
  assert.deepEqual(emulationStep(plan, 0, 250), { kind: 'wait', until: 1000, processing: true });
  assert.deepEqual(emulationStep(plan, 0, 1000), { kind: 'run' });
  assert.equal(planEmulation(request(), { latency: { kind: 'instant' }, timeScale: 1 }), undefined);
});

test('--latency fixed:<ms>: polling sees queued, then processing, then completed', { timeout: 60_000 }, async () => {
  const ts = await startTestServer({ workers: '2', latency: 'fixed:4000' });
  try {
    const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'watch my states' } })).json();
    const seen: string[] = [created.state];
    for (;;) {
      const { state } = await (await ts.call('GET', `/v1/generations/${created.id}`)).json();
      if (seen[seen.length - 1] !== state) seen.push(state);
      if (state === 'completed' || state === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(seen, ['queued', 'processing', 'completed']);
  } finally {
    await ts.close();
  }
});

test('--latency fixed with --clock virtual: each state lasts until the clock is advanced past it', { timeout: 60_000 }, async () => {
  const ts = await startTestServer({ workers: '2', latency: 'fixed:10000', clock: 'virtual', adminToken: ADMIN });
  const advance = async (seconds: number) => {
    const res = await ts.call('POST', '/admin/v1/clock/advance', { key: ADMIN, body: { seconds } });
    assert.equal(res.status, 200);
  };
  try {
    const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'virtual states' } })).json();
    assert.equal(created.state, 'queued');
    await advance(2.5);
    await waitForState(ts, created.id, 'processing');
    await advance(7.5);
    const done = await waitForState(ts, created.id, 'completed');
    assert.equal(done.output.length, 1);
  } finally {
    await ts.close();
  }
});

test('--latency realistic on a virtual clock: nothing completes before 15 s, everything by 60 s', { timeout: 60_000 }, async () => {
  const ts = await startTestServer({ workers: '2', latency: 'realistic', clock: 'virtual', adminToken: ADMIN });
  const advance = (seconds: number) => ts.call('POST', '/admin/v1/clock/advance', { key: ADMIN, body: { seconds } });
  try {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await (await ts.call('POST', '/v1/generations', { body: { prompt: `realistic ${i}` } })).json()).id);
    await advance(14);
    // The workers have looked at the jobs at 14 s once a job claimed after the advance has moved on.
    await waitForState(ts, ids[0], 'processing');
    for (const id of ids) assert.notEqual((await (await ts.call('GET', `/v1/generations/${id}`)).json()).state, 'completed');
    await advance(46);
    for (const id of ids) assert.equal((await waitForGeneration(ts, id)).state, 'completed');
  } finally {
    await ts.close();
  }
});
