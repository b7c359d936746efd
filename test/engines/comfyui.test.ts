import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { GenerationRequest } from '../../src/contract/index.js';
import { comfyUiBackend, comfyUiEngine, type ComfyUiSettings } from '../../src/engines/comfyui/index.js';
import { workflowProblem } from '../../src/engines/comfyui/workflow.js';
import type { EngineContext, EngineResult, ImageInput } from '../../src/engines/index.js';
import { fakeComfyUi, IMAGE_TO_IMAGE, TEXT_TO_IMAGE, TEXT_TO_VIDEO, type FakeComfyUi } from '../helpers/fake-comfyui.js';
import { solidImage } from '../helpers/images.js';
import { testClip, toolkit } from '../helpers/video.js';

const request = (over: Partial<GenerationRequest> = {}): GenerationRequest => ({
  prompt: 'A lighthouse at dusk',
  model: 'uni-1',
  type: 'image',
  aspect_ratio: '1:1',
  style: 'auto',
  output_format: null,
  web_search: false,
  user_id: null,
  source: null,
  image_ref: [],
  ...over,
});

const ctx = (signal = new AbortController().signal): EngineContext & { seen: number[] } => {
  const seen: number[] = [];
  return { signal, progress: (f) => seen.push(f), video: toolkit, seen };
};

const failure = (result: EngineResult) => {
  assert.equal(result.ok, false, 'expected a failure');
  return result as Extract<EngineResult, { ok: false }>;
};

describe('comfyui engine against a fake ComfyUI (HTTP + /ws)', () => {
  let fake: FakeComfyUi;
  let clip: Buffer;
  const settings = (over: Partial<ComfyUiSettings> = {}): ComfyUiSettings => ({
    baseUrl: fake.url,
    workflows: { image: TEXT_TO_IMAGE, image_edit: IMAGE_TO_IMAGE, video: TEXT_TO_VIDEO },
    negativePrompt: 'blurry',
    pollMs: 100,
    timeoutMs: 2_000,
    retry: { attempts: 3, backoffMs: 20, maxWaitMs: 3_000 },
    ...over,
  });

  before(async () => {
    clip = await testClip(320, 176, 1);
    fake = await fakeComfyUi({ video: clip });
  });
  after(() => fake.close());
  const reset = () => {
    fake.prompts.length = 0;
    fake.sent.length = 0;
    fake.socketsOpened = 0;
    fake.plan = () => ({});
    fake.promptAnswer = () => undefined;
  };

  test('text to image: placeholders filled with typed values, our prompt id, progress from the socket', async () => {
    reset();
    const c = ctx();
    const result = await comfyUiEngine(settings())(request({ aspect_ratio: '16:9' }), [], c);
    assert.ok(result.ok, JSON.stringify(result));
    const meta = await sharp(result.outputs[0].bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 1344, 768]);
    const [{ prompt }] = fake.prompts;
    assert.equal(prompt['6'].inputs.text, 'A lighthouse at dusk');
    assert.equal(prompt['7'].inputs.text, 'blurry');
    assert.equal(prompt['5'].inputs.width, 1344);
    assert.equal(typeof prompt['3'].inputs.seed, 'number');
    assert.ok(c.seen.length >= 4, `progress reported ${c.seen.length} times`);
    assert.deepEqual(c.seen, [...c.seen].sort((a, b) => a - b), 'progress never goes back');
    assert.equal(c.seen.at(-1), 1);
    assert.ok(c.seen.some((f) => f > 0.3 && f < 0.95), 'sampler steps show as progress');
  });

  test('image_edit uploads the source to input/atelier and runs img2img at the edit strength', async () => {
    reset();
    const source: ImageInput = { role: 'source', index: 0, bytes: await solidImage(320, 240, 'jpeg'), width: 320, height: 240, format: 'jpeg' };
    const result = await comfyUiEngine(settings({ editStrength: 0.45 }))(request({ type: 'image_edit', aspect_ratio: null }), [source], ctx());
    assert.ok(result.ok, JSON.stringify(result));
    const meta = await sharp(result.outputs[0].bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [320, 240]);
    const [{ prompt, prompt_id }] = fake.prompts;
    assert.equal(prompt['10'].inputs.image, `atelier/${prompt_id}-source.jpg`);
    assert.ok(fake.uploads.get(`atelier/${prompt_id}-source.jpg`)?.equals(source.bytes));
    assert.equal(prompt['3'].inputs.denoise, 0.45);
    assert.equal(prompt['6'].inputs.text, 'photo, A lighthouse at dusk');
  });

  test('a video workflow returns an MP4 with its facts probed', async () => {
    reset();
    const video = { resolution: '540p', duration: '5s', loop: false, hdr: false, exr_export: false, start_frame: null, end_frame: null, keyframes: [], keyframe_indexes: [], source_position: null, edit: null } as const;
    const result = await comfyUiEngine(settings())(request({ type: 'video', model: 'ray-3.2', aspect_ratio: '16:9', video: { ...video, keyframes: [], keyframe_indexes: [] } }), [], ctx());
    assert.ok(result.ok, JSON.stringify(result));
    const [out] = result.outputs;
    assert.equal(out.type, 'video');
    assert.equal(out.mediaType, 'video/mp4');
    assert.deepEqual([out.video?.width, out.video?.height], [320, 176]);
    const [{ prompt }] = fake.prompts;
    assert.deepEqual([prompt['5'].inputs.width, prompt['5'].inputs.height, prompt['5'].inputs.length, prompt['9'].inputs.frame_rate], [960, 544, 120, 24]);
  });

  test('a WebSocket that drops mid-run is reopened and the job still completes', async () => {
    reset();
    fake.plan = () => ({ dropSocket: true, stepMs: 120 });
    const result = await comfyUiEngine(settings())(request(), [], ctx());
    assert.ok(result.ok, JSON.stringify(result));
    assert.ok(fake.socketsOpened >= 2, `sockets opened: ${fake.socketsOpened}`);
  });

  test("a node's exception fails the job as generation_failed with ComfyUI's message", async () => {
    reset();
    fake.plan = () => ({ error: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
    const result = failure(await comfyUiEngine(settings())(request(), [], ctx()));
    assert.equal(result.failureCode, 'generation_failed');
    assert.match(result.failureReason, /CUDA out of memory/);
  });

  test('a ComfyUI that loses the job (restarted) fails it instead of waiting forever', async () => {
    reset();
    fake.plan = () => ({ lose: true, stepMs: 20 });
    const started = Date.now();
    const result = failure(await comfyUiEngine(settings())(request(), [], ctx()));
    assert.equal(result.failureCode, 'generation_failed');
    assert.match(result.failureReason, /lost the job/);
    assert.equal(result.retryable, true);
    assert.ok(Date.now() - started < 5_000);
  });

  test('a truncated output file fails cleanly; no output at all is output_not_found', async () => {
    reset();
    fake.plan = () => ({ truncateOutputs: true });
    const truncated = failure(await comfyUiEngine(settings())(request(), [], ctx()));
    assert.equal(truncated.failureCode, 'generation_failed');
    assert.match(truncated.failureReason, /broken image/);

    reset();
    fake.plan = () => ({ noOutputs: true });
    assert.equal(failure(await comfyUiEngine(settings())(request(), [], ctx())).failureCode, 'output_not_found');
  });

  test('POST /prompt: a 429 with Retry-After is waited out; a 500 is not repeated', async () => {
    reset();
    fake.promptAnswer = (i) => (i === 0 && fake.prompts.length === 0 && !busyOnce++ ? { status: 429, headers: { 'retry-after': '1' }, body: { error: 'busy' } } : undefined);
    let busyOnce = 0;
    const started = Date.now();
    const ok = await comfyUiEngine(settings())(request(), [], ctx());
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.ok(Date.now() - started >= 950);

    reset();
    let posts = 0;
    fake.promptAnswer = () => (posts++, { status: 500, body: { error: 'Internal Server Error' } });
    const failed = failure(await comfyUiEngine(settings())(request(), [], ctx()));
    assert.equal(failed.failureCode, 'generation_failed');
    assert.equal(posts, 1);
  });

  test("a workflow ComfyUI refuses is generation_failed with its node errors; a missing input is invalid_request", async () => {
    reset();
    const broken = { ...TEXT_TO_IMAGE, '10': { class_type: 'LoadImage', inputs: { image: 'missing.png' } } };
    const refused = failure(await comfyUiEngine(settings({ workflows: { image: broken } }))(request(), [], ctx()));
    assert.equal(refused.failureCode, 'generation_failed');
    assert.match(refused.failureReason, /Invalid image file: missing.png/);

    const needsSource = failure(await comfyUiEngine(settings({ workflows: { image: IMAGE_TO_IMAGE } }))(request(), [], ctx()));
    assert.equal(needsSource.failureCode, 'invalid_request');
    assert.match(needsSource.failureReason, /\{\{source\}\}/);
    assert.equal(failure(await comfyUiEngine(settings())(request({ type: 'layering' }), [], ctx())).failureCode, 'invalid_request');
  });

  test('a resumed submit with the same prompt id queues nothing new and waits on the first', async () => {
    reset();
    fake.plan = () => ({ stepMs: 30 });
    const backend = comfyUiBackend(settings());
    const promptId = '0b8f3a52-3f0e-4d7e-9a51-0c7c1d2f6a10';
    await backend.submit(request(), [], promptId, ctx());
    const again = comfyUiBackend(settings()); // as a new worker would build it
    await again.submit(request(), [], promptId, ctx());
    const result = await again.wait(request(), promptId, ctx());
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(fake.prompts.length, 1);
    await again.submit(request(), [], promptId, ctx()); // after it finished, too
    assert.equal(fake.prompts.length, 1);
  });

  test('a job slower than jobTimeoutMs fails and is taken off the queue', async () => {
    reset();
    fake.plan = () => ({ stepMs: 400 });
    const result = failure(await comfyUiEngine(settings({ jobTimeoutMs: 300 }))(request(), [], ctx()));
    assert.equal(result.failureCode, 'generation_failed');
    assert.match(result.failureReason, /did not finish within/);
    await fake.idle();
  });

  test('workflow files are checked: UI format and unknown placeholders are named', () => {
    assert.equal(workflowProblem(TEXT_TO_IMAGE), null);
    assert.match(workflowProblem({ nodes: [], links: [] })!, /UI format/);
    assert.match(workflowProblem({ '1': { class_type: 'X', inputs: { a: '{{colour}}' } } })!, /unknown placeholder \{\{colour\}\}/);
    assert.match(workflowProblem([])!, /not a JSON object/);
  });
});
