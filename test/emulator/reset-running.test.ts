import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fakeComfyUi, type FakeComfyUi } from '../helpers/fake-comfyui.js';
import { startGateway } from '../helpers/gateway.js';
import { waitForState } from '../helpers/poll.js';
import { generate, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { toolkit } from '../helpers/video.js';

const ADMIN = 'reset-running-admin';
/** Far beyond the test: a worker that lets go does so because of the reset, not a lost lease. */
const LEASE_MS = '600000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await check()); await sleep(20)) assert.ok(Date.now() < deadline, what);
}

const admin = async (ts: TestServer, method: string, route: string, body?: unknown) =>
  (await ts.call(method, `/admin/v1${route}`, { body, key: null, headers: { authorization: `Bearer ${ADMIN}` } })).json();

/** What a reset must leave behind for a metered client whose generation was running: a full refund, no usage, no outputs. */
async function nothingRanOn(ts: TestServer, clientId: string, ledgerAfterReset: unknown[]) {
  const ledger = (await admin(ts, 'GET', `/clients/${clientId}/ledger`)).data;
  assert.deepEqual(ledger, ledgerAfterReset, 'no ledger rows after the reset');
  assert.equal((await admin(ts, 'GET', `/clients/${clientId}`)).balance_micros, 1_000_000);
  const usage = await ts.server.store.db.selectFrom('usage_daily').selectAll().where('client_id', '=', clientId).execute();
  assert.deepEqual(usage, [], 'no usage rows after the reset');
}

describe('a reset while a job runs', () => {
  test('a video job mid-encode is stopped: its ffmpeg dies, it writes nothing, and the only worker takes new work at once', { timeout: 120_000 }, async () => {
    // ffmpeg behind a wrapper whose encodes never end (the run stands for a long render).
    const dir = tempDir();
    const ffmpeg = path.join(dir, 'ffmpeg');
    fs.writeFileSync(ffmpeg, `#!/bin/sh\ncase "$*" in *" -c:v "*) exec sleep 600;; esac\nexec ${toolkit.info!.ffmpeg} "$@"\n`, { mode: 0o755 });
    const encodes = () => {
      try {
        return execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n').filter((c) => c.trim() === 'sleep').length;
      } catch {
        return 0;
      }
    };
    const ts = await startTestServer({ workers: '1', adminToken: ADMIN, leaseMs: LEASE_MS, ffmpegPath: ffmpeg, ffprobePath: toolkit.info!.ffprobe });
    try {
      const metered = await admin(ts, 'POST', '/clients', { name: 'metered', credits_usd: 1 });
      const res = await ts.call('POST', '/v1/generations', { key: metered.key, body: { prompt: 'a long render', model: 'ray-3.2', type: 'video', video: { resolution: '360p' } } });
      const created = await res.json();
      assert.equal(res.status, 201, JSON.stringify(created));
      await waitForState(ts, created.id, 'processing', { key: metered.key, timeoutMs: 20_000 });
      await until('the encode is running', () => encodes() === 1);

      assert.equal((await ts.call('POST', '/admin/v1/reset', { key: null, headers: { authorization: `Bearer ${ADMIN}` } })).status, 200);
      const ledgerAfterReset = (await admin(ts, 'GET', `/clients/${metered.client.id}/ledger`)).data;
      await until('the encode was killed', () => encodes() === 0, 5_000);

      // One worker: this completes only if the reset freed it.
      const next = await generate(ts, { prompt: 'after the reset' });
      assert.equal(next.state, 'completed');
      assert.equal((await ts.call('GET', `/v1/generations/${created.id}`, { key: metered.key })).status, 404);
      assert.deepEqual(fs.readdirSync(path.join(ts.dataDir, 'blobs', 'generations')), [next.id], 'only the new generation has blobs');
      await nothingRanOn(ts, metered.client.id, ledgerAfterReset);
    } finally {
      await ts.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('on a remote engine', () => {
    let comfy: FakeComfyUi;
    let ts: TestServer;
    before(async () => {
      comfy = await fakeComfyUi();
      const examples = path.resolve('examples/comfyui');
      const yaml = [
        'engines:',
        '  comfy:',
        '    type: comfyui',
        `    base_url: ${comfy.url}`,
        `    workflows: { image: ${examples}/sdxl-text-to-image.json }`,
        '    poll_interval_ms: 50',
        '    in_flight: 1',
        'models:',
        '  uni-1:',
        '    serves: [image]',
        '    engines: [comfy]',
      ].join('\n');
      ts = await startGateway(yaml, { adminToken: ADMIN, leaseMs: LEASE_MS, workers: '1' });
    });
    after(async () => {
      await ts?.close();
      await comfy?.close();
    });

    test('the upstream job is cancelled, nothing is stored, and the engine’s only slot takes the next job', { timeout: 120_000 }, async () => {
      // The first prompt would take 25 × 10 s; the next ones run at once.
      comfy.plan = (id) => (id === comfy.prompts[0]?.prompt_id ? { stepMs: 10_000 } : {});
      const metered = await admin(ts, 'POST', '/clients', { name: 'metered', credits_usd: 1 });
      const res = await ts.call('POST', '/v1/generations', { key: metered.key, body: { prompt: 'slow upstream', aspect_ratio: '1:1' } });
      assert.equal(res.status, 201);
      const { id } = await res.json();
      let upstreamId: string | undefined;
      await until('the prompt reached ComfyUI', async () => !!(upstreamId = (await admin(ts, 'GET', `/generations/${id}`)).upstream_id));

      assert.equal((await ts.call('POST', '/admin/v1/reset', { key: null, headers: { authorization: `Bearer ${ADMIN}` } })).status, 200);
      const ledgerAfterReset = (await admin(ts, 'GET', `/clients/${metered.client.id}/ledger`)).data;
      await until(`ComfyUI was told to stop: ${comfy.cancelled.join()} ${comfy.deleted.join()}`, () =>
        comfy.cancelled.includes(`interrupt:${upstreamId}`) || comfy.deleted.includes(upstreamId!),
      );

      const next = await generate(ts, { prompt: 'after the reset', aspect_ratio: '1:1' });
      assert.equal(next.state, 'completed', JSON.stringify(next));
      assert.deepEqual(fs.readdirSync(path.join(ts.dataDir, 'blobs', 'generations')), [next.id], 'only the new generation has blobs');
      await nothingRanOn(ts, metered.client.id, ledgerAfterReset);
    });
  });
});
