import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { GenerationRequest } from '../../src/contract/index.js';
import { comfyUiEngineType, promptIdFor } from '../../src/engines/comfyui/index.js';
import { fillWorkflow, workflowProblem } from '../../src/engines/comfyui/workflow.js';
import type { ImageInput } from '../../src/engines/index.js';
import type { RemoteEngineFactory, ResolvedEngineEntry } from '../../src/engines/remote/remote-engine.js';
import { fakeComfyUi, type FakeComfyUi } from '../helpers/fake-comfyui.js';
import { solidImage } from '../helpers/images.js';
import { failureOf, filesOf, imageRequest, job, remoteContext, resolvedEntry, runRemote } from '../helpers/remote-run.js';
import { tempDir } from '../helpers/temp-dir.js';
import { probeVideo, testClip } from '../helpers/video.js';

const request = imageRequest;

const factory = comfyUiEngineType as RemoteEngineFactory<never>;

const failure = failureOf;

const succeeded = filesOf;

describe('comfyui engine against a fake ComfyUI (HTTP + /ws)', () => {
  let fake: FakeComfyUi;
  // The shipped example workflows, as a user would point an entry at them.
  const dir = tempDir();
  const examples = path.resolve('examples/comfyui');
  const read = (name: string) => JSON.parse(fs.readFileSync(path.join(examples, name), 'utf8'));
  const TEXT_TO_IMAGE = read('sdxl-text-to-image.json');
  const write = (name: string, workflow: unknown) => {
    fs.writeFileSync(path.join(dir, name), JSON.stringify(workflow));
    return name;
  };
  const workflows = {
    image: path.join(examples, 'sdxl-text-to-image.json'),
    image_edit: path.join(examples, 'sdxl-image-to-image.json'),
    video: path.join(examples, 'wan-text-to-video.json'),
  };
  const settings = (over: Record<string, unknown> = {}) =>
    resolvedEntry('comfy', { base_url: fake.url, workflows, negative_prompt: 'blurry', poll_interval_ms: 100, request_timeout_ms: 2_000, rate_limit_give_up_ms: 3_000, ...over });
  const run = (entry: ResolvedEngineEntry<unknown>, req: GenerationRequest, inputs: ImageInput[] = [], key?: string) => {
    const ctx = remoteContext(entry);
    const remoteJob = job(req, inputs);
    if (key) remoteJob.idempotencyKey = key;
    return { ctx, result: runRemote(factory, entry, remoteJob, ctx, dir) };
  };

  before(async () => {
    fake = await fakeComfyUi({ video: await testClip(320, 176, 5) });
  });
  after(async () => {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const reset = () => {
    fake.prompts.length = 0;
    fake.sent.length = 0;
    fake.socketsOpened = 0;
    fake.plan = () => ({});
    fake.promptAnswer = () => undefined;
    fake.deleted.length = 0;
    fake.cancelled.length = 0;
  };

  test('text to image: placeholders filled with typed values, our prompt id, progress from the socket', async () => {
    reset();
    const { ctx: c, result } = run(settings(), request({ aspect_ratio: '16:9' }));
    const [file] = succeeded(await result);
    const meta = await sharp(file.bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 1344, 768]);
    const [{ prompt }] = fake.prompts;
    assert.equal(prompt['6'].inputs.text, 'A lighthouse at dusk');
    assert.equal(prompt['7'].inputs.text, 'blurry');
    assert.equal(prompt['5'].inputs.width, 1344);
    assert.equal(typeof prompt['3'].inputs.seed, 'number');
    assert.ok(c.seen.length >= 4, `progress reported ${c.seen.length} times`);
    assert.deepEqual(c.seen, [...c.seen].sort((a, b) => a - b), 'progress never goes back');
    assert.ok(c.seen.some((f) => f > 0.3 && f < 0.95), 'sampler steps show as progress');
  });

  test('image_edit uploads the source to input/atelier and runs img2img at the edit strength', async () => {
    reset();
    const source: ImageInput = { role: 'source', index: 0, bytes: await solidImage(320, 240, 'jpeg'), width: 320, height: 240, format: 'jpeg' };
    const [file] = succeeded(await run(settings({ edit_strength: 0.45 }), request({ type: 'image_edit', aspect_ratio: null }), [source]).result);
    const meta = await sharp(file.bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [320, 240]);
    const [{ prompt, prompt_id }] = fake.prompts;
    assert.equal(prompt['10'].inputs.image, `atelier/${prompt_id}-source.jpg`);
    assert.ok(fake.uploads.get(`atelier/${prompt_id}-source.jpg`)?.equals(source.bytes));
    assert.equal(prompt['3'].inputs.denoise, 0.45);
    assert.equal(prompt['6'].inputs.text, 'A lighthouse at dusk');
  });

  test('a video workflow returns an MP4 with its facts probed', async () => {
    reset();
    const video = { resolution: '540p', duration: '5s', loop: false, hdr: false, exr_export: false, start_frame: null, end_frame: null, keyframes: [], keyframe_indexes: [], source_position: null, edit: null } as const;
    const [out] = succeeded(await run(settings(), request({ type: 'video', model: 'ray-3.2', aspect_ratio: '16:9', video: { ...video, keyframes: [], keyframe_indexes: [] } })).result);
    assert.equal(out.type, 'video');
    assert.equal(out.mediaType, 'video/mp4');
    const probe = await probeVideo(out.bytes);
    assert.deepEqual([probe.width, probe.height], [320, 176]);
    const [{ prompt }] = fake.prompts;
    assert.deepEqual([prompt['40'].inputs.width, prompt['40'].inputs.height, prompt['40'].inputs.length, prompt['49'].inputs.fps], [960, 544, 120, 24]);
  });

  test('a video output is streamed into the work directory and probed there: a truncated one fails as a damaged video', async () => {
    reset();
    fake.plan = () => ({ truncateOutputs: true });
    const video = { resolution: '540p', duration: '5s', loop: false, hdr: false, exr_export: false, start_frame: null, end_frame: null, keyframes: [], keyframe_indexes: [], source_position: null, edit: null } as const;
    const truncated = failure(await run(settings(), request({ type: 'video', model: 'ray-3.2', aspect_ratio: '16:9', video: { ...video, keyframes: [], keyframe_indexes: [] } })).result);
    assert.equal(truncated.failureCode, 'generation_failed');
    assert.match(truncated.failureReason, /damaged video/);
  });

  test('a WebSocket that drops mid-run is reopened and the job still completes', async () => {
    reset();
    fake.plan = () => ({ dropSocket: true, stepMs: 120 });
    succeeded(await run(settings(), request()).result);
    assert.ok(fake.socketsOpened >= 2, `sockets opened: ${fake.socketsOpened}`);
  });

  test('jobs waiting on one ComfyUI share one socket under one client id; a job resumed from another process follows its prompt on that client id', async () => {
    reset();
    fake.plan = () => ({ stepMs: 15 });
    const entry = settings();
    const engine = factory.create(entry as never, { logger: undefined as never, configDir: dir });
    try {
      const contexts = Array.from({ length: 4 }, () => remoteContext(entry));
      const results = await Promise.all(
        contexts.map(async (ctx, i) => {
          const remoteJob = job(request({ prompt: `shared ${i}` }));
          const submitted = await engine.submit(remoteJob, ctx);
          assert.ok(submitted.kind === 'submitted');
          return engine.wait(submitted.handle, remoteJob, ctx);
        }),
      );
      assert.deepEqual(results.map((r) => r.kind), ['done', 'done', 'done', 'done']);
      assert.equal(fake.socketsOpened, 1, 'one socket for four waiting jobs');
      assert.equal(new Set(fake.prompts.map((p) => p.client_id)).size, 1, 'every prompt queued under one client id');
      for (const ctx of contexts) assert.ok(ctx.seen.some((f) => f > 0.3 && f < 0.95), `each job saw its own sampler steps: ${ctx.seen}`);
      const ours = fake.prompts[0].client_id;

      // Another process queued this one (its client id), then died; this engine resumes the wait.
      reset();
      fake.plan = () => ({ stepMs: 40 });
      const other = factory.create(entry as never, { logger: undefined as never, configDir: dir });
      const remoteJob = job(request({ prompt: 'resumed' }));
      const submitted = await other.submit(remoteJob, remoteContext(entry));
      await other.close?.();
      assert.ok(submitted.kind === 'submitted');
      const ctx = remoteContext(entry);
      assert.equal((await engine.wait(submitted.handle, remoteJob, ctx)).kind, 'done');
      assert.equal(fake.prompts[0].client_id, submitted.handle.state?.client_id);
      assert.notEqual(fake.prompts[0].client_id, ours, "queued under the other process's client id");
      assert.equal(fake.socketsOpened, 1, "one socket, of that client id, for the resumed job (this engine's own was already open)");
      assert.ok(ctx.seen.some((f) => f > 0.3 && f < 0.95), `the resumed job saw its progress: ${ctx.seen}`);
    } finally {
      await engine.close?.();
    }
  });

  test("a node's exception fails the job as generation_failed with ComfyUI's message", async () => {
    reset();
    fake.plan = () => ({ error: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
    const result = failure(await run(settings(), request()).result);
    assert.equal(result.failureCode, 'generation_failed');
    assert.match(result.failureReason, /CUDA out of memory/);
  });

  test('a ComfyUI that loses the job (restarted) fails it instead of waiting forever', async () => {
    reset();
    fake.plan = () => ({ lose: true, stepMs: 20 });
    const started = Date.now();
    const result = failure(await run(settings(), request()).result);
    assert.equal(result.failureCode, 'generation_failed');
    assert.match(result.failureReason, /lost the job/);
    assert.equal(result.retryable, true);
    assert.ok(Date.now() - started < 5_000);
  });

  test('a /history that keeps answering malformed JSON fails the wait after a few reads', async () => {
    reset();
    fake.plan = () => ({ malformedHistory: true });
    const started = Date.now();
    const broken = failure(await run(settings({ poll_interval_ms: 20 }), request()).result);
    assert.equal(broken.failureCode, 'generation_failed');
    assert.match(broken.failureReason, /malformed JSON/);
    assert.equal(broken.retryable, true);
    assert.ok(Date.now() - started < 3_000);
    assert.equal(fake.prompts.length, 1, 'it was queued: the wait gave up');
    await fake.idle();
  });

  test('a truncated output file fails cleanly; no output at all is output_not_found', async () => {
    reset();
    fake.plan = () => ({ truncateOutputs: true });
    const truncated = failure(await run(settings(), request()).result);
    assert.equal(truncated.failureCode, 'generation_failed');
    assert.match(truncated.failureReason, /damaged image/);

    reset();
    fake.plan = () => ({ noOutputs: true });
    assert.equal(failure(await run(settings(), request()).result).failureCode, 'output_not_found');
  });

  test('POST /prompt: a 429 with Retry-After is waited out; a 500 is not repeated', async () => {
    reset();
    let busy = 1;
    fake.promptAnswer = () => (busy-- > 0 ? { status: 429, headers: { 'retry-after': '1' }, body: { error: 'busy' } } : undefined);
    const started = Date.now();
    succeeded(await run(settings(), request()).result);
    assert.ok(Date.now() - started >= 950);

    reset();
    let posts = 0;
    fake.promptAnswer = () => (posts++, { status: 500, body: { error: 'Internal Server Error' } });
    const failed = failure(await run(settings(), request()).result);
    assert.equal(failed.failureCode, 'generation_failed');
    assert.equal(posts, 1);
  });

  test("a workflow ComfyUI refuses is generation_failed with its node errors; a missing input is invalid_request", async () => {
    reset();
    const broken = write('broken.json', { ...TEXT_TO_IMAGE, '10': { class_type: 'LoadImage', inputs: { image: 'missing.png' } } });
    const refused = failure(await run(settings({ workflows: { image: broken } }), request()).result);
    assert.equal(refused.failureCode, 'generation_failed');
    assert.equal(refused.retryable, false);
    assert.match(refused.detail ?? '', /Invalid image file: missing.png/);

    const needsSource = failure(await run(settings({ workflows: { image: workflows.image_edit } }), request()).result);
    assert.equal(needsSource.failureCode, 'invalid_request');
    assert.match(needsSource.failureReason, /needs \{\{strength\}\} and \{\{source\}\}/);
  });

  test('a resumed submit with the same prompt id queues nothing new and waits on the first', async () => {
    reset();
    fake.plan = () => ({ stepMs: 30 });
    const entry = settings();
    const remoteJob = job(request());
    const first = factory.create(entry as never, { logger: undefined as never, configDir: dir });
    const submitted = await first.submit(remoteJob, remoteContext(entry));
    assert.ok(submitted.kind === 'submitted');
    assert.equal(submitted.handle.id, promptIdFor(remoteJob.idempotencyKey));
    // As a new worker would, after the first died before storing the handle:
    const again = factory.create(entry as never, { logger: undefined as never, configDir: dir });
    const resubmitted = await again.submit(remoteJob, remoteContext(entry));
    assert.ok(resubmitted.kind === 'submitted');
    assert.equal(resubmitted.handle.id, submitted.handle.id);
    const waited = await again.wait(resubmitted.handle, remoteJob, remoteContext(entry));
    assert.equal(waited.kind, 'done', JSON.stringify(waited));
    assert.equal(fake.prompts.length, 1);
    assert.deepEqual(await again.submit(remoteJob, remoteContext(entry)), resubmitted); // after it finished, too
    assert.equal(fake.prompts.length, 1);
    assert.equal(fake.prompts[0].prompt_id, promptIdFor(remoteJob.idempotencyKey));
    await Promise.all([first.close?.(), again.close?.()]);
  });

  test('an older ComfyUI that ignores our prompt id: the job fails clearly and its stray prompt is taken back', async () => {
    const legacy = await fakeComfyUi({ legacy: true });
    try {
      legacy.plan = () => ({ stepMs: 50 });
      const refused = failure(await run(settings({ base_url: legacy.url }), request()).result);
      assert.equal(refused.failureCode, 'generation_failed');
      assert.match(refused.failureReason, /ignored the prompt id/);
      const stray = legacy.prompts[0].prompt_id;
      assert.ok(legacy.deleted.includes(stray) || legacy.cancelled.includes(`interrupt:${stray}`), 'the stray prompt was deleted or interrupted');
      await legacy.idle();
    } finally {
      await legacy.close();
    }
  });

  test('cancel takes a queued prompt off the queue and interrupts a running one', async () => {
    reset();
    fake.plan = () => ({ stepMs: 200 });
    const entry = settings();
    const engine = factory.create(entry as never, { logger: undefined as never, configDir: dir });
    const a = await engine.submit(job(request(), [], '11111111-1111-4111-8111-111111111111'), remoteContext(entry));
    const b = await engine.submit(job(request(), [], '22222222-2222-4222-8222-222222222222'), remoteContext(entry));
    assert.ok(a.kind === 'submitted' && b.kind === 'submitted');
    await engine.cancel!(b.handle, remoteContext(entry));
    await engine.cancel!(a.handle, remoteContext(entry));
    assert.equal(fake.cancelled.join(), `interrupt:${a.handle.id}`);
    assert.deepEqual(fake.deleted, [b.handle.id]);
    await fake.idle();
  });

  test('a workflow file that is missing or in the UI format stops the start, naming it', () => {
    write('ui.json', { nodes: [], links: [] });
    assert.throws(() => factory.create(settings({ workflows: { image: 'ui.json' } }) as never, { logger: undefined as never, configDir: dir }), /engines\.comfy\.workflows\.image: ui\.json is in the UI format/);
    assert.throws(() => factory.create(settings({ workflows: { image: 'nope.json' } }) as never, { logger: undefined as never, configDir: dir }), /nope\.json could not be read/);
    const engine = factory.create(settings({ workflows: { image: write('t2i.json', TEXT_TO_IMAGE) } }) as never, { logger: undefined as never, configDir: dir });
    assert.deepEqual(engine.serves, ['image']);
  });

  test('workflow files are checked: UI format and unknown placeholders are named', () => {
    assert.equal(workflowProblem(TEXT_TO_IMAGE), null);
    const filled = fillWorkflow({ '1': { class_type: 'X', inputs: { t: 'photo, {{prompt}}', w: '{{width}}', n: 3 } } }, { prompt: 'a cat', width: 512 });
    assert.deepEqual(filled['1'].inputs, { t: 'photo, a cat', w: 512, n: 3 });
    assert.match(workflowProblem({ nodes: [], links: [] })!, /UI format/);
    assert.match(workflowProblem({ '1': { class_type: 'X', inputs: { a: '{{colour}}' } } })!, /unknown placeholder \{\{colour\}\}/);
    assert.match(workflowProblem([])!, /not a JSON object/);
  });
});
