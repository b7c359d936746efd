import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { download, generate, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';
import { imageInfo, solidImage } from '../helpers/images.js';
import { ADMIN_TOKEN, adminView, lumaEntry, sabotagingProxy, startGateway, UPSTREAM_KEY, type SabotagingProxy } from '../helpers/gateway.js';


/** What the upstream stored for the generation that served one of the gateway's. */
async function upstreamRecord(gateway: TestServer, upstream: TestServer, id: string) {
  const { upstream_id } = await adminView(gateway, id);
  assert.ok(upstream_id, `${id} has an upstream id`);
  const row = await upstream.server.store.db.selectFrom('generations').selectAll().where('id', '=', upstream_id).executeTakeFirstOrThrow();
  return { id: upstream_id as string, row, request: JSON.parse(row.request) };
}

describe('luma engine against Atelier as the upstream', () => {
  let upstream: TestServer;
  let gateway: TestServer;
  before(async () => {
    upstream = await startTestServer();
    const yaml = [
      'engines:',
      lumaEntry('luma', upstream, '    model_map: { team-draft: uni-1 }\n'),
      'models:',
      '  uni-1:',
      '    engines: [luma]',
      '  ray-3.2:',
      '    engines: [luma]',
      '  team-draft:',
      '    serves: [image]',
      '    engines: [luma]',
      '    price_usd: 0.25',
    ].join('\n');
    gateway = await startGateway(yaml, { mode: 'gateway', adminToken: ADMIN_TOKEN });
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  test('an image is generated upstream, copied into our blob store and served from our URL; the engine is visible to admins only', async () => {
    const done = await generate(gateway, { prompt: 'a paper boat', aspect_ratio: '16:9', output_format: 'png' });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.ok(done.output[0].url.startsWith(gateway.url), done.output[0].url);
    assert.equal((await imageInfo(await download(done.output[0].url))).format, 'png');
    assert.equal(done.engine, undefined);
    const view = await adminView(gateway, done.id);
    assert.equal(view.engine, 'luma');
    assert.match(view.upstream_id, /^[0-9a-f-]{36}$/);
  });

  test('every field reaches upstream: user_id, web_search, style, ratio, format and inline references', async () => {
    const ref = (await solidImage(64, 48, 'png')).toString('base64');
    const done = await generate(gateway, {
      prompt: 'a manga panel',
      aspect_ratio: '9:16',
      style: 'manga',
      output_format: 'jpeg',
      web_search: true,
      user_id: 'end-user-42',
      image_ref: [{ data: ref, media_type: 'image/png' }],
    });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    const { row, request } = await upstreamRecord(gateway, upstream, done.id);
    assert.equal(row.user_id, 'end-user-42');
    assert.equal(request.web_search, true);
    assert.equal(request.style, 'manga');
    assert.equal(request.aspect_ratio, '9:16');
    assert.equal(request.output_format, 'jpeg');
    assert.equal(request.inputs.length, 1);
    assert.equal(request.inputs[0].origin, 'data', 'the reference went upstream inline');
    assert.equal((await imageInfo(await download(done.output[0].url))).format, 'jpeg');
  });

  test('an edit of a generation this engine served goes upstream by the upstream id', async () => {
    const first = await generate(gateway, { prompt: 'a red kite', output_format: 'png' });
    const edit = await generate(gateway, { prompt: 'make it blue', type: 'image_edit', source: { generation_id: first.id } });
    assert.equal(edit.state, 'completed', JSON.stringify(edit));
    const { id: firstUpstream } = await upstreamRecord(gateway, upstream, first.id);
    const { request } = await upstreamRecord(gateway, upstream, edit.id);
    assert.deepEqual(request.source, { generation_id: firstUpstream });
  });

  test('video, a chained video_edit and a reframe of inline video bytes, each checked and re-homed', async () => {
    const clip = await generate(gateway, { prompt: 'waves', model: 'ray-3.2', type: 'video', aspect_ratio: '16:9', video: { resolution: '360p' } });
    assert.equal(clip.state, 'completed', JSON.stringify(clip));
    assert.equal(clip.output[0].type, 'video');
    const mp4 = await download(clip.output[0].url);
    assert.equal(mp4.subarray(4, 8).toString('latin1'), 'ftyp');

    const edit = await generate(gateway, { prompt: 'at dusk', model: 'ray-3.2', type: 'video_edit', source: { generation_id: clip.id }, video: { resolution: '360p', edit: { strength: 'flex_2' } } });
    assert.equal(edit.state, 'completed', JSON.stringify(edit));
    const { request: editRequest } = await upstreamRecord(gateway, upstream, edit.id);
    assert.equal(editRequest.source.generation_id, (await adminView(gateway, clip.id)).upstream_id);
    assert.equal(editRequest.video.edit.strength, 'flex_2');

    const reframe = await generate(gateway, {
      prompt: 'more sky',
      model: 'ray-3.2',
      type: 'video_reframe',
      aspect_ratio: '9:16',
      source: { data: mp4.toString('base64'), media_type: 'video/mp4' },
      video: { resolution: '360p', source_position: { x_norm: 0, y_norm: 0.25, w_norm: 1, h_norm: 0.5 } },
    });
    assert.equal(reframe.state, 'completed', JSON.stringify(reframe));
    const { request: reframeRequest } = await upstreamRecord(gateway, upstream, reframe.id);
    assert.equal(reframeRequest.inputs[0].origin, 'data');
    assert.deepEqual(reframeRequest.video.source_position, { x_norm: 0, y_norm: 0.25, w_norm: 1, h_norm: 0.5 });
  });

  test("a model of the team's own is served through model_map at the routing file's price", async () => {
    const done = await generate(gateway, { prompt: 'a draft', model: 'team-draft' });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.equal(done.model, 'team-draft');
    const view = await adminView(gateway, done.id);
    assert.equal(view.price_usd, 0.25);
    assert.equal((await upstreamRecord(gateway, upstream, done.id)).row.model, 'uni-1');
  });

  test('a gateway refuses what it has no engine for, and lists what it serves', async () => {
    const res = await gateway.call('POST', '/v1/generations', { body: { prompt: 'x', model: 'uni-1-max' } });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { detail: 'Unknown model: uni-1-max' });
    const models = await (await gateway.call('GET', '/v1/models')).json();
    assert.deepEqual(models, {
      data: [
        { id: 'uni-1', types: ['image', 'image_edit', 'layering'] },
        { id: 'ray-3.2', types: ['video', 'video_edit', 'video_reframe'] },
        { id: 'team-draft', types: ['image'] },
      ],
    });
    assert.equal((await gateway.call('GET', '/v1/models', { key: null })).status, 401);
    const openapi = await (await fetch(`${gateway.url}/openapi.json`)).json();
    assert.deepEqual(openapi.components.schemas.GenerationCreateParams.properties.model.enum, ['uni-1', 'ray-3.2', 'team-draft']);
    assert.ok(openapi.paths['/v1/models'].get);
  });
});

describe('luma engine: damaged and lost upstream work', () => {
  let upstream: TestServer;
  let proxy: SabotagingProxy;
  let gateway: TestServer;
  before(async () => {
    upstream = await startTestServer();
    proxy = await sabotagingProxy(upstream);
    const yaml = [
      'engines:',
      lumaEntry('sabotaged', proxy),
      lumaEntry('slowpoke', proxy, '    request_timeout_ms: 500\n'),
      lumaEntry('forgetful', upstream, '    headers: { X-Atelier-Fault: "latency:1500" }\n    model_map: { lossy: uni-1 }\n'),
      lumaEntry('steady', upstream, '    model_map: { lossy: uni-1 }\n'),
      'models:',
      '  uni-1:',
      '    engines: [sabotaged]',
      '  uni-1-max:',
      '    engines: [slowpoke, steady]',
      '  lossy:',
      '    serves: [image]',
      '    engines: [forgetful, steady]',
      '    price_usd: 0.01',
    ].join('\n');
    gateway = await startGateway(yaml, { mode: 'gateway', adminToken: ADMIN_TOKEN, credits: '10' });
  });
  after(async () => {
    await gateway?.close();
    await proxy?.close();
    await upstream?.close();
  });

  const balance = async () => (await (await gateway.call('GET', '/v1/account')).json()).balance_usd;

  test('a truncated or garbage output fails the generation cleanly and refunds it; a missing one is output_not_found', async () => {
    const start = await balance();
    for (const [mode, code] of [
      ['truncate-outputs', 'generation_failed'],
      ['garbage-outputs', 'generation_failed'],
      ['missing-outputs', 'output_not_found'],
    ] as const) {
      proxy.mode = mode;
      const done = await generate(gateway, { prompt: `sabotage ${mode}`, output_format: 'png' });
      assert.equal(done.state, 'failed', `${mode}: ${JSON.stringify(done)}`);
      assert.equal(done.failure_code, code, mode);
      assert.deepEqual(done.output, []);
    }
    proxy.mode = 'none';
    assert.equal(await balance(), start, 'every failed generation was refunded');
    const fine = await generate(gateway, { prompt: 'undamaged', output_format: 'png' });
    assert.equal(fine.state, 'completed', 'the same path completes when nothing is damaged');
  });

  test('a backend slower than request_timeout_ms is given up on and the chain moves on', async () => {
    proxy.mode = 'slow-submits';
    try {
      const slow = await generate(gateway, { prompt: 'slow upstream', model: 'uni-1-max' });
      assert.equal(slow.state, 'completed', JSON.stringify(slow));
      assert.equal((await adminView(gateway, slow.id)).engine, 'steady');
    } finally {
      proxy.mode = 'none';
    }
  });

  test('an upstream that loses the job while we wait on it: the next engine serves it', async () => {
    const res = await gateway.call('POST', '/v1/generations', { body: { prompt: 'lost upstream', model: 'lossy' } });
    assert.equal(res.status, 201);
    const { id } = await res.json();
    let lost: string | undefined;
    for (const until = Date.now() + 5000; !lost && Date.now() < until; await new Promise((r) => setTimeout(r, 10))) lost = (await adminView(gateway, id)).upstream_id;
    assert.ok(lost, 'the job reached upstream');
    await upstream.server.store.transact(async (trx) => {
      await trx.deleteFrom('jobs').where('generation_id', '=', lost!).execute();
      await trx.deleteFrom('generations').where('id', '=', lost!).execute();
    });
    const done = await waitForGeneration(gateway, id);
    assert.equal(done.state, 'completed', JSON.stringify(done));
    const view = await adminView(gateway, id);
    assert.equal(view.engine, 'steady');
    assert.notEqual(view.upstream_id, lost);
  });
});

/**
 * Layering through a scripted upstream speaking the Luma protocol (Atelier's own layering would
 * load its segmentation model, which takes most of a minute on a busy machine).
 */
describe('luma engine: layering', () => {
  test('the request goes upstream as layering with its resolution, and each layer comes back re-homed with its layer record', async () => {
    const png = await solidImage(32, 32, 'png');
    const seen: any[] = [];
    const layer = (index: number) => ({ index, label: index ? 'background' : 'kite', description: 'd', alpha_hint: index ? 'none' : 'hard', bounds: { x: 0, y: 0, width: 32, height: 32 } });
    const fake = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (req.method === 'POST') {
          seen.push({ auth: req.headers.authorization, key: req.headers['idempotency-key'], body: JSON.parse(body) });
          return json(201, { id: 'up-1', state: 'queued', output: [] });
        }
        if (req.url === '/v1/generations/up-1') {
          const output = [0, 1].map((i) => ({ type: 'image', url: `http://${req.headers.host}/files/layer-${i}.png`, layer: layer(i) }));
          return json(200, { id: 'up-1', type: 'layering', state: 'completed', output, failure_code: null, failure_reason: null });
        }
        if (req.url?.startsWith('/files/')) return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
        json(404, { detail: 'Not found' });
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const gateway = await startGateway(`engines:\n${lumaEntry('luma', { url })}models:\n  uni-1:\n    engines: [luma]\n`, { mode: 'gateway' });
    try {
      const done = await generate(gateway, { prompt: 'split the kite', type: 'layering', layering: { resolution: '2k' }, source: { data: png.toString('base64'), media_type: 'image/png' } });
      assert.equal(done.state, 'completed', JSON.stringify(done));
      assert.deepEqual(done.output.map((o: any) => o.layer), [layer(0), layer(1)]);
      assert.ok(done.output.every((o: any) => o.url.startsWith(gateway.url)));
      assert.equal(seen.length, 1);
      assert.equal(seen[0].auth, `Bearer ${UPSTREAM_KEY}`);
      assert.match(seen[0].key, /^atelier-[0-9a-f-]{36}-luma-1$/);
      assert.deepEqual({ ...seen[0].body, source: undefined }, { prompt: 'split the kite', model: 'uni-1', type: 'layering', style: 'auto', layering: { resolution: '2k' }, source: undefined });
      assert.deepEqual(seen[0].body.source, { data: png.toString('base64'), media_type: 'image/png' });
    } finally {
      await gateway.close();
      fake.closeAllConnections();
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});
