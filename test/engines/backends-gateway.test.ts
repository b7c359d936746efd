import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { fakeCog, type FakeCog } from '../helpers/fake-cog.js';
import { fakeComfyUi, type FakeComfyUi } from '../helpers/fake-comfyui.js';
import { fakeOpenAiImages, type FakeOpenAiImages } from '../helpers/fake-openai-images.js';
import { routingFile, startGateway } from '../helpers/gateway.js';
import { solidImage } from '../helpers/images.js';
import { spawnServer } from '../helpers/process.js';
import { download, generate, KEY_A, tempDir, type TestServer } from '../helpers/server.js';
import { probeVideo, testClip } from '../helpers/video.js';

const ADMIN = 'test-admin-token';
const EXAMPLES = path.resolve('examples/comfyui');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function admin(url: string, id: string): Promise<{ engine?: string; upstream_id?: string }> {
  return (await fetch(`${url}/admin/v1/generations/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
}

const comfyEntry = (name: string, baseUrl: string, extra = '') =>
  [
    `  ${name}:`,
    '    type: comfyui',
    `    base_url: ${baseUrl}`,
    `    workflows: { image: ${EXAMPLES}/sdxl-text-to-image.json, video: ${EXAMPLES}/wan-text-to-video.json }`,
    '    poll_interval_ms: 50',
    extra,
  ].join('\n');

describe('a gateway in front of ComfyUI, an OpenAI-compatible server and Cog', () => {
  let comfy: FakeComfyUi;
  let images: FakeOpenAiImages;
  let cog: FakeCog;
  let gateway: TestServer;

  before(async () => {
    comfy = await fakeComfyUi({ video: await testClip(320, 176, 5) });
    images = await fakeOpenAiImages({ apiKey: 'sk-gateway' });
    cog = await fakeCog({ inputs: { prompt: { type: 'string', required: true }, aspect_ratio: { type: 'string' } } });
    const yaml = [
      'engines:',
      comfyEntry('comfy', comfy.url),
      comfyEntry('dead', 'http://127.0.0.1:9', '    request_timeout_ms: 500'),
      comfyEntry('impatient', comfy.url, '    job_timeout_ms: 1500'),
      '  images:',
      '    type: openai-images',
      `    base_url: ${images.url}/v1`,
      '    api_key: { env: TEST_OPENAI_KEY }',
      '    model: gpt-image-1',
      '  flux:',
      '    type: cog',
      `    base_url: ${cog.url}`,
      '    serves: [image]',
      '    input: { prompt: "{{prompt}}", aspect_ratio: "{{aspect_ratio}}" }',
      '  segment:',
      '    type: layering',
      'models:',
      '  uni-1:',
      '    by_type: { image: [comfy], image_edit: [images], layering: [segment] }',
      '  uni-1-max:',
      '    by_type: { image: [dead, images], image_edit: [images] }',
      '  ray-3.2:',
      '    serves: [video]',
      '    engines: [comfy]',
      '  team-flux:',
      '    serves: [image]',
      '    engines: [flux]',
      '    price_usd: 0.01',
      '  team-sdxl:',
      '    serves: [image]',
      '    engines: [impatient]',
      '    price_usd: 0.01',
    ].join('\n');
    gateway = await startGateway(yaml, { mode: 'gateway', adminToken: ADMIN }, { TEST_OPENAI_KEY: 'sk-gateway' });
  });
  after(async () => {
    await gateway?.close();
    await Promise.all([comfy?.close(), images?.close(), cog?.close()]);
  });

  test('image through ComfyUI: completed with our own URL, and the admin view names the engine and the prompt id', async () => {
    const done = await generate(gateway, { prompt: 'a harbour at dawn', aspect_ratio: '16:9' });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.ok(done.output[0].url.startsWith(gateway.url), 'the output is re-homed in our blob store');
    const meta = await sharp(await download(done.output[0].url)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 1344, 768]);
    const view = await admin(gateway.url, done.id);
    assert.equal(view.engine, 'comfy');
    assert.equal(view.upstream_id, comfy.prompts.at(-1)!.prompt_id);
  });

  test('image_edit through the OpenAI-compatible server, with the source as its image', async () => {
    const source = (await solidImage(300, 200, 'png')).toString('base64');
    const done = await generate(gateway, { prompt: 'make it night', type: 'image_edit', source: { data: source, media_type: 'image/png' } });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    const meta = await sharp(await download(done.output[0].url)).metadata();
    assert.deepEqual([meta.width, meta.height], [1536, 1024]);
    assert.equal(images.calls.at(-1)!.path, '/images/edits');
    assert.equal((await admin(gateway.url, done.id)).engine, 'images');
  });

  test('video through a ComfyUI video workflow: an MP4 of the asked length', async () => {
    const done = await generate(gateway, { prompt: 'waves', model: 'ray-3.2', type: 'video', aspect_ratio: '16:9' });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.equal(done.output[0].type, 'video');
    const probe = await probeVideo(await download(done.output[0].url));
    assert.ok(Math.abs(probe.seconds - 5) < 0.5);
  });

  test('a model of our own served by a Cog container, listed in /v1/models', async () => {
    const done = await generate(gateway, { prompt: 'a red fox', model: 'team-flux', aspect_ratio: '16:9' });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.equal(cog.created.at(-1)!.input.prompt, 'a red fox');
    const models = await (await gateway.call('GET', '/v1/models')).json();
    assert.ok(models.data.some((m: { id: string }) => m.id === 'team-flux'));
  });

  test('a ComfyUI that cannot be reached falls back to the next engine in the chain', async () => {
    const done = await generate(gateway, { prompt: 'fallback', model: 'uni-1-max', aspect_ratio: '1:1' });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.equal((await admin(gateway.url, done.id)).engine, 'images');
  });

  test("ComfyUI's sampler steps show as the generation's progress while it runs", async () => {
    comfy.plan = () => ({ stepMs: 60 });
    try {
      const created = await (await gateway.call('POST', '/v1/generations', { body: { prompt: 'progress please' } })).json();
      const seen: number[] = [];
      let body: { state: string; progress?: { fraction: number } } = { state: 'queued' };
      for (const until = Date.now() + 20_000; body.state !== 'completed' && body.state !== 'failed' && Date.now() < until; await sleep(40)) {
        body = await (await gateway.call('GET', `/v1/generations/${created.id}`)).json();
        if (body.progress) seen.push(body.progress.fraction);
      }
      assert.equal(body.state, 'completed');
      assert.ok(seen.some((f) => f > 0.2 && f < 1), `progress seen: ${seen.join(', ')}`);
    } finally {
      comfy.plan = () => ({});
    }
  });

  test('a prompt slower than job_timeout_ms fails the generation and is interrupted on ComfyUI', async () => {
    comfy.plan = () => ({ stepMs: 400 });
    try {
      const done = await generate(gateway, { prompt: 'too slow', model: 'team-sdxl' });
      assert.equal(done.state, 'failed');
      assert.equal(done.failure_code, 'generation_failed');
      const { upstream_id } = await admin(gateway.url, done.id);
      assert.ok(comfy.cancelled.includes(`interrupt:${upstream_id}`), `interrupted: ${comfy.cancelled.join()}`);
    } finally {
      comfy.plan = () => ({});
      await comfy.idle();
    }
  });

  test("a node's exception fails the generation with ComfyUI's words and the spec's code", async () => {
    comfy.plan = () => ({ error: 'CUDA out of memory' });
    try {
      const done = await generate(gateway, { prompt: 'too big' });
      assert.equal(done.state, 'failed');
      assert.equal(done.failure_code, 'generation_failed');
      assert.match(done.failure_reason, /CUDA out of memory/);
    } finally {
      comfy.plan = () => ({});
    }
  });
});

describe('resuming a ComfyUI job after kill -9', () => {
  test('the new worker waits on the prompt the dead one queued: ComfyUI runs it once', { timeout: 120_000 }, async () => {
    const comfy = await fakeComfyUi();
    comfy.plan = () => ({ stepMs: 150 }); // 25 steps: about 4 s, so the kill lands mid-prompt
    const dataDir = tempDir();
    const config = routingFile(`engines:\n${comfyEntry('comfy', comfy.url)}\nmodels:\n  uni-1:\n    serves: [image]\n    engines: [comfy]\n`);
    const env = { ATELIER_API_KEYS: KEY_A, ATELIER_ADMIN_TOKEN: ADMIN, ATELIER_LEASE_MS: '1000', ATELIER_MAX_CONCURRENT: '0', ATELIER_RPM: '0' };
    const args = ['--data-dir', dataDir, '--config', config, '--mode', 'gateway'];
    const headers = { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' };
    try {
      let server = await spawnServer(args, env);
      const res = await fetch(`${server.url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'resume me', aspect_ratio: '1:1' }) });
      assert.equal(res.status, 201);
      const { id } = await res.json();
      let upstreamId: string | undefined;
      for (const until = Date.now() + 20_000; !upstreamId; await sleep(20)) {
        assert.ok(Date.now() < until, 'the prompt reached ComfyUI');
        upstreamId = (await admin(server.url, id)).upstream_id;
      }
      server.child.kill('SIGKILL');
      await server.exited;

      server = await spawnServer(args, env);
      try {
        let body: { state?: string; output?: { url: string }[] } = {};
        for (const until = Date.now() + 30_000; Date.now() < until; await sleep(50)) {
          body = await (await fetch(`${server.url}/v1/generations/${id}`, { headers })).json();
          if (body.state === 'completed' || body.state === 'failed') break;
        }
        assert.equal(body.state, 'completed', JSON.stringify(body));
        assert.equal((await admin(server.url, id)).upstream_id, upstreamId);
      } finally {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      assert.equal(comfy.prompts.length, 1, 'ComfyUI was given the prompt exactly once');
      assert.equal(comfy.prompts[0].prompt_id, upstreamId);
    } finally {
      await comfy.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('resuming a Cog job delivered by webhook after kill -9', () => {
  test('the completed webhook, retried by Cog while Atelier was down, finishes the job: the prediction ran once', { timeout: 120_000 }, async () => {
    const cog = await fakeCog({ inputs: { prompt: { type: 'string', required: true } } });
    cog.plan = () => ({ ms: 1_500 });
    const port = await freePort();
    const dataDir = tempDir();
    const yaml = [
      'engines:',
      '  flux:',
      '    type: cog',
      `    base_url: ${cog.url}`,
      '    serves: [image]',
      '    delivery: webhook',
      `    webhook_base_url: http://127.0.0.1:${port}`,
      '    poll_interval_ms: 50',
      '    input: { prompt: "{{prompt}}" }',
      'models:',
      '  team-flux:',
      '    serves: [image]',
      '    engines: [flux]',
      '    price_usd: 0.01',
    ].join('\n');
    const env = { ATELIER_API_KEYS: KEY_A, ATELIER_ADMIN_TOKEN: ADMIN, ATELIER_LEASE_MS: '1000', ATELIER_MAX_CONCURRENT: '0', ATELIER_RPM: '0' };
    const args = ['--data-dir', dataDir, '--config', routingFile(yaml), '--mode', 'gateway', '--port', String(port)];
    const headers = { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' };
    try {
      let server = await spawnServer(args, env);
      const res = await fetch(`${server.url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'a red fox', model: 'team-flux' }) });
      assert.equal(res.status, 201, await res.clone().text());
      const { id } = await res.json();
      for (const until = Date.now() + 20_000; !(await admin(server.url, id)).upstream_id; await sleep(20)) assert.ok(Date.now() < until, 'the prediction started');
      server.child.kill('SIGKILL');
      await server.exited;
      for (const until = Date.now() + 20_000; !cog.webhooks.some((w) => w.event === 'completed' && w.status === 0); await sleep(20)) {
        assert.ok(Date.now() < until, 'Cog tried to post the result while Atelier was down');
      }

      server = await spawnServer(args, env);
      try {
        let body: { state?: string } = {};
        for (const until = Date.now() + 30_000; Date.now() < until; await sleep(50)) {
          body = await (await fetch(`${server.url}/v1/generations/${id}`, { headers })).json();
          if (body.state === 'completed' || body.state === 'failed') break;
        }
        assert.equal(body.state, 'completed', JSON.stringify(body));
      } finally {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      assert.equal(cog.created.length, 1, 'the prediction ran exactly once');
      assert.ok(cog.webhooks.some((w) => w.event === 'completed' && w.status === 200));
    } finally {
      await cog.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
