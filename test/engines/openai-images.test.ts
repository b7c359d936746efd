import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { GenerationRequest } from '../../src/contract/index.js';
import type { ImageInput } from '../../src/engines/index.js';
import { openAiImagesEngineType, type OpenAiImagesFields } from '../../src/engines/openai-images/index.js';
import { sizeFor } from '../../src/engines/openai-images/sizes.js';
import type { RemoteEngineFactory, ResolvedEngineEntry } from '../../src/engines/remote/remote-engine.js';
import { fakeOpenAiImages, type FakeOpenAiImages } from '../helpers/fake-openai-images.js';
import { solidImage } from '../helpers/images.js';
import { failureOf, imageRequest, job, remoteContext, resolvedEntry, runRemote, type Run } from '../helpers/remote-run.js';

const request = imageRequest;

async function input(role: ImageInput['role'], width: number, height: number, index = 0): Promise<ImageInput> {
  return { role, index, bytes: await solidImage(width, height, 'png'), width, height, format: 'png' };
}

const factory = openAiImagesEngineType as RemoteEngineFactory<never>;

async function run(entry: ResolvedEngineEntry<unknown>, req: GenerationRequest, inputs: ImageInput[] = [], signal?: AbortSignal): Promise<Run> {
  const ctx = remoteContext(entry, signal);
  return runRemote(factory, entry, job(req, inputs), ctx);
}

const failure = failureOf;

async function outputOf(result: Run) {
  assert.ok(result.ok, JSON.stringify(result));
  const [out] = result.files;
  const meta = await sharp(out.bytes).metadata();
  return { out, width: meta.width, height: meta.height, format: meta.format };
}

describe('openai-images engine against a fake OpenAI images API', () => {
  let fake: FakeOpenAiImages;
  const settings = (over: Record<string, unknown> = {}) =>
    resolvedEntry<OpenAiImagesFields>('images', { ...({} as OpenAiImagesFields), base_url: `${fake.url}/v1`, apiKey: 'sk-test', model: 'gpt-image-1', request_timeout_ms: 2_000, rate_limit_give_up_ms: 3_000, ...over });

  before(async () => {
    fake = await fakeOpenAiImages({ apiKey: 'sk-test' });
  });
  after(() => fake.close());
  const reset = () => {
    fake.calls.length = 0;
    fake.plan = () => ({ kind: 'ok' });
  };

  test('text to image: gpt-image-1 gets its nearest size, the key as Bearer, and no response_format', async () => {
    reset();
    const entry = settings();
    const ctx = remoteContext(entry);
    const { width, height, format } = await outputOf(await runRemote(factory, entry, job(request()), ctx));
    assert.deepEqual([width, height, format], [1536, 1024, 'png']);
        const [call] = fake.calls;
    assert.equal(call.path, '/images/generations');
    assert.equal(call.headers.authorization, 'Bearer sk-test');
    assert.deepEqual(call.fields, { model: 'gpt-image-1', prompt: 'A lighthouse at dusk', n: 1, size: '1536x1024' });
    assert.ok(ctx.seen.length > 0 && ctx.seen.every((f) => f >= 0 && f <= 1));
  });

  test('dall-e-3 answering with a URL: the file is downloaded without our key', async () => {
    reset();
    const { width, height } = await outputOf(await run(settings({ model: 'dall-e-3', response_format: 'url' }), request({ aspect_ratio: '9:16' })));
    assert.deepEqual([width, height], [1024, 1792]);
    assert.equal(fake.calls[0].fields.response_format, 'url');
  });

  test('a server that renders any size gets about a megapixel at the asked ratio, in multiples of 64', async () => {
    reset();
    const { width, height } = await outputOf(await run(settings({ model: 'stablediffusion' }), request({ aspect_ratio: '16:9' })));
    assert.deepEqual([width, height], [1344, 768]);
    assert.equal(sizeFor('free', 1), '1024x1024');
    assert.equal(sizeFor('free', 3), '1792x576');
  });

  test('configured sizes win over the family mapping', async () => {
    reset();
    const { width, height } = await outputOf(await run(settings({ model: 'stablediffusion', sizes: { '16:9': '1024x576' } }), request()));
    assert.deepEqual([width, height], [1024, 576]);
  });

  test('image_edit sends the source first and the references after as image[], sized to the source', async () => {
    reset();
    const inputs = [await input('image_ref', 64, 64, 1), await input('source', 300, 200), await input('image_ref', 32, 32, 0)];
    const result = await run(settings(), request({ type: 'image_edit', aspect_ratio: null }), inputs);
    const { width, height } = await outputOf(result);
    assert.deepEqual([width, height], [1536, 1024]);
    const [call] = fake.calls;
    assert.equal(call.path, '/images/edits');
    assert.deepEqual(call.files.map((f) => [f.field, f.name]), [['image[]', 'source.png'], ['image[]', 'reference-0.png'], ['image[]', 'reference-1.png']]);
    assert.equal(call.fields.size, '1536x1024');
    assert.equal(call.fields.prompt, 'A lighthouse at dusk');
  });

  test('references on a text-to-image request go to the edits endpoint', async () => {
    reset();
    const result = await run(settings({ model: 'dall-e-2' }), request({ aspect_ratio: '1:1' }), [await input('image_ref', 40, 40)]);
    await outputOf(result);
    assert.equal(fake.calls[0].path, '/images/edits');
    assert.deepEqual(fake.calls[0].files.map((f) => f.field), ['image', 'mask'], 'dall-e-2 takes one image; an opaque one comes with a clear mask');
  });

  test('dall-e-2 edits get a square RGBA PNG with the source whole and centred; an opaque source comes with a clear mask, so it is repainted whole', async () => {
    reset();
    const bytes = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer();
    const source: ImageInput = { role: 'source', index: 0, bytes, width: 300, height: 200, format: 'jpeg' };
    const { width, height } = await outputOf(await run(settings({ model: 'dall-e-2' }), request({ type: 'image_edit', aspect_ratio: null }), [source]));
    assert.deepEqual([width, height], [1024, 1024]);
    const [call] = fake.calls;
    assert.equal(call.fields.size, '1024x1024');
    assert.deepEqual(call.files.map((f) => [f.field, f.type, f.name]), [['image', 'image/png', 'source.png'], ['mask', 'image/png', 'mask.png']]);
    const sent = await sharp(call.files[0].bytes).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([sent.info.width, sent.info.height, sent.info.channels], [1024, 1024, 4]);
    const pixel = (x: number, y: number) => [...sent.data.subarray((y * 1024 + x) * 4, (y * 1024 + x) * 4 + 4)];
    assert.equal(pixel(512, 20)[3], 0, 'the padding above a landscape source is transparent');
    const centre = pixel(512, 512);
    assert.ok(centre[3] === 255 && centre[0] > 180 && centre[1] < 70, `the source fills the middle: ${centre}`);
    const mask = await sharp(call.files[1].bytes).stats();
    assert.equal((await sharp(call.files[1].bytes).metadata()).width, 1024);
    assert.equal(mask.channels[3].max, 0, 'the mask is transparent everywhere');
  });

  test('a dall-e-2 source with transparent pixels of its own is edited there (no mask); one that would be 4 MB or more goes at 512×512', async () => {
    reset();
    const cutout = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 10, g: 200, b: 10, alpha: 0 } } })
      .composite([{ input: { create: { width: 32, height: 32, channels: 4, background: { r: 10, g: 200, b: 10, alpha: 1 } } }, left: 0, top: 0 }])
      .png()
      .toBuffer();
    await outputOf(await run(settings({ model: 'dall-e-2' }), request({ type: 'image_edit', aspect_ratio: null }), [{ role: 'source', index: 0, bytes: cutout, width: 64, height: 64, format: 'png' }]));
    assert.deepEqual(fake.calls[0].files.map((f) => f.field), ['image']);
    const kept = await sharp(fake.calls[0].files[0].bytes).raw().toBuffer({ resolveWithObject: true });
    assert.equal(kept.data[(1000 * 1024 + 1000) * 4 + 3], 0, "the source's own transparent corner stays transparent");
    assert.equal(kept.data[(10 * 1024 + 10) * 4 + 3], 255);

    reset();
    // Random RGBA pixels don't compress: 4.2 MB as a 1024×1024 PNG.
    const noise = await sharp(randomBytes(1024 * 1024 * 4), { raw: { width: 1024, height: 1024, channels: 4 } }).png().toBuffer();
    const { width } = await outputOf(await run(settings({ model: 'dall-e-2' }), request({ type: 'image_edit', aspect_ratio: null }), [{ role: 'source', index: 0, bytes: noise, width: 1024, height: 1024, format: 'png' }]));
    assert.equal(width, 512);
    assert.equal(fake.calls[0].fields.size, '512x512');
    assert.ok(fake.calls[0].files.every((f) => f.bytes.length < 4 * 1024 * 1024));

    // The fake refuses what OpenAI refuses: the same source sent unconverted.
    const form = new FormData();
    form.set('model', 'dall-e-2');
    form.set('prompt', 'x');
    form.set('size', '1024x1024');
    form.append('image', new Blob([new Uint8Array(await solidImage(300, 200, 'png'))], { type: 'image/png' }), 'source.png');
    const refused = await fetch(`${fake.url}/v1/images/edits`, { method: 'POST', headers: { authorization: 'Bearer sk-test' }, body: form });
    assert.equal(refused.status, 400);
  });

  test("dall-e-3, which has no edits endpoint, refuses images so the chain can move on; OpenAI's models get the user_id as `user`", async () => {
    reset();
    const refused = failure(await run(settings({ model: 'dall-e-3' }), request(), [await input('image_ref', 40, 40)]));
    assert.equal(refused.failureCode, 'invalid_request');
    assert.equal(refused.retryable, true);
    assert.equal(fake.calls.length, 0);

    await outputOf(await run(settings(), request({ user_id: 'end-user-7' })));
    assert.equal(fake.calls[0].fields.user, 'end-user-7');
    reset();
    await outputOf(await run(settings({ model: 'stablediffusion' }), request({ user_id: 'end-user-7' })));
    assert.equal(fake.calls[0].fields.user, undefined);
  });

  test('output_format jpeg is honoured when the server sent a PNG', async () => {
    reset();
    const { out, format } = await outputOf(await run(settings({ model: 'dall-e-3' }), request({ output_format: 'jpeg' })));
    assert.equal(format, 'jpeg');
    assert.equal(out.mediaType, 'image/jpeg');
  });

  test('Azure-style base URL: api-key header and api-version on every call', async () => {
    const azure = await fakeOpenAiImages({ apiKey: 'az-key', azureApiVersion: '2025-04-01-preview' });
    try {
      const entry = settings({ base_url: `${azure.url}/openai/deployments/dep`, apiKey: undefined, headers: { 'api-key': 'az-key' }, api_version: '2025-04-01-preview' });
      await outputOf(await run(entry, request()));
      assert.equal(azure.calls[0].headers['api-key'], 'az-key');
      assert.equal(azure.calls[0].headers.authorization, undefined);
      assert.equal(azure.calls[0].query.get('api-version'), '2025-04-01-preview');
    } finally {
      await azure.close();
    }
  });

  test('429 with Retry-After is waited out, then the call succeeds', async () => {
    reset();
    fake.plan = (_c, i) => (i === 0 ? { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Rate limit reached' } } } : { kind: 'ok' });
    const started = Date.now();
    await outputOf(await run(settings(), request()));
    assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
    assert.equal(fake.calls.length, 2);
  });

  test('a 429 that outlasts the wait budget fails as rate_limited, retryable elsewhere', async () => {
    reset();
    fake.plan = () => ({ kind: 'status', status: 429, headers: { 'retry-after': '30' }, body: { error: { message: 'Rate limit reached for images' } } });
    const result = failure(await run(settings(), request()));
    assert.equal(result.failureCode, 'rate_limited');
    assert.match(result.detail ?? '', /Rate limit reached for images/);
    assert.equal(result.retryable, true);
    assert.equal(fake.calls.length, 1);
  });

  test('a 5xx is a retryable generation_failed, not repeated here (the chain decides)', async () => {
    reset();
    fake.plan = () => ({ kind: 'status', status: 500, body: { error: { message: 'The server had an error' } } });
    const result = failure(await run(settings(), request()));
    assert.equal(result.failureCode, 'generation_failed');
    assert.equal(result.retryable, true);
    assert.match(result.detail ?? '', /The server had an error/);
    assert.equal(fake.calls.length, 1);
  });

  test('moderation refusals are content_moderated; a bad parameter is invalid_request with the server\'s words', async () => {
    reset();
    fake.plan = () => ({ kind: 'status', status: 400, body: { error: { message: 'Your request was rejected by the safety system.', code: 'moderation_blocked' } } });
    assert.equal(failure(await run(settings(), request())).failureCode, 'content_moderated');

    reset();
    const bad = failure(await run(settings({ sizes: { '16:9': '999x999' } }), request()));
    assert.equal(bad.failureCode, 'invalid_request');
    assert.match(bad.failureReason, /Invalid value: '999x999'/);
  });

  test('a slow server times out as generation_failed', async () => {
    reset();
    fake.plan = () => ({ kind: 'slow', ms: 1_500 });
    const result = failure(await run(settings({ request_timeout_ms: 300 }), request()));
    assert.equal(result.failureCode, 'generation_failed');
    assert.equal(result.retryable, true);
    assert.match(result.detail ?? '', /no answer in 300 ms/);
  });

  const broken = [
    ['malformed JSON', { kind: 'malformed' }, 'generation_failed', /malformed JSON/],
    ['truncated base64 image', { kind: 'truncated-b64' }, 'generation_failed', /damaged image/],
    ['bytes that are no image', { kind: 'not-an-image' }, 'generation_failed', /damaged image/],
    ['an answer without data', { kind: 'no-data' }, 'output_not_found', /Output artifacts not found/],
    ['an output URL that drops mid-file', { kind: 'url-truncated' }, 'output_not_found', /Output artifacts not found/],
  ] as const;
  for (const [name, behaviour, code, reason] of broken) {
    test(`${name} fails cleanly as ${code}`, async () => {
      reset();
      fake.plan = () => behaviour;
      const result = failure(await run(settings({ model: 'dall-e-2' }), request({ aspect_ratio: '1:1' })));
      assert.equal(result.failureCode, code);
      assert.match(result.failureReason, reason);
    });
  }

  test('an aborted job stops waiting on the server', async () => {
    reset();
    fake.plan = () => ({ kind: 'slow', ms: 1_000 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    await assert.rejects(run(settings(), request(), [], abort.signal));
  });

  test('the engine type serves image and image_edit only', () => {
    assert.deepEqual(openAiImagesEngineType.create(settings({ serves: undefined }) as never, { logger: undefined as never, configDir: '.' }).serves, ['image', 'image_edit']);
  });
});
