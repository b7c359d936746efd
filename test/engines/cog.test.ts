import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { request as undiciRequest } from 'undici';
import type { GenerationRequest } from '../../src/contract/index.js';
import { cogEngineType, predictionIdFor } from '../../src/engines/cog/index.js';
import { fillInput } from '../../src/engines/cog/input.js';
import type { ImageInput } from '../../src/engines/index.js';
import type { EngineCallbacks } from '../../src/engines/remote/callbacks.js';
import type { RemoteEngineFactory, ResolvedEngineEntry } from '../../src/engines/remote/remote-engine.js';
import { listenLoopback } from '../helpers/loopback.js';
import { fakeCog, type FakeCog } from '../helpers/fake-cog.js';
import { solidImage } from '../helpers/images.js';
import { failureOf, filesOf, imageRequest, job, remoteContext, resolvedEntry, runRemote } from '../helpers/remote-run.js';

const request = imageRequest;

const factory = cogEngineType as RemoteEngineFactory<never>;
const MAPPING = { prompt: '{{prompt}}', aspect_ratio: '{{aspect_ratio}}', image: '{{source}}', seed: '{{seed}}', num_outputs: 1, prompt_strength: '{{strength}}', caption: 'photo of {{prompt}}' };

const failure = failureOf;
const succeeded = filesOf;

describe('cog engine against a fake Cog container', () => {
  let fake: FakeCog;
  const settings = (over: Record<string, unknown> = {}) =>
    resolvedEntry('flux', { base_url: fake.url, input: MAPPING, poll_interval_ms: 50, request_timeout_ms: 2_000, rate_limit_give_up_ms: 2_000, ...over });
  const run = (entry: ResolvedEngineEntry<unknown>, req: GenerationRequest, inputs: ImageInput[] = [], key?: string) => {
    const remoteJob = job(req, inputs);
    if (key) remoteJob.idempotencyKey = key;
    return runRemote(factory, entry, remoteJob, remoteContext(entry));
  };

  before(async () => {
    fake = await fakeCog({
      inputs: {
        prompt: { type: 'string', required: true },
        aspect_ratio: { type: 'string', choices: ['1:1', '16:9', '9:16'] },
        image: { type: 'string' },
        seed: { type: 'integer' },
        num_outputs: { type: 'integer' },
        prompt_strength: { type: 'number' },
        caption: { type: 'string' },
      },
    });
  });
  after(() => fake.close());
  const reset = () => {
    fake.created.length = 0;
    fake.requests.length = 0;
    fake.cancelled.length = 0;
    fake.plan = () => ({});
  };

  test('text to image: the mapping is filled (typed values, interpolation, unfilled keys left out) and a synchronous PUT answers the file', async () => {
    reset();
    const remoteJob = job(request());
    const [file] = succeeded(await runRemote(factory, settings(), remoteJob, remoteContext(settings())));
    const meta = await sharp(file.bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 1344, 768]);
    assert.equal(file.mediaType, 'image/png');
    const [sent] = fake.requests;
    assert.equal(sent.method, 'PUT');
    assert.equal(sent.path, `/predictions/${predictionIdFor(remoteJob.idempotencyKey)}`);
    assert.equal(sent.prefer, undefined);
    const { input } = fake.created[0];
    assert.equal(input.prompt, 'A lighthouse at dusk');
    assert.equal(input.caption, 'photo of A lighthouse at dusk');
    assert.equal(input.aspect_ratio, '16:9');
    assert.equal(input.num_outputs, 1);
    assert.equal(typeof input.seed, 'number');
    assert.ok(!('image' in input) && !('prompt_strength' in input), 'keys with no value are left out');
    assert.match(predictionIdFor('x'), /^[a-z2-7]{26}$/);
  });

  test('image_edit sends the source as a data URL and the edit strength', async () => {
    reset();
    const source: ImageInput = { role: 'source', index: 0, bytes: await solidImage(300, 200, 'jpeg'), width: 300, height: 200, format: 'jpeg' };
    const [file] = succeeded(await run(settings(), request({ type: 'image_edit', aspect_ratio: null }), [source]));
    const meta = await sharp(file.bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [300, 200]);
    const { input } = fake.created[0];
    assert.equal(input.image, `data:image/jpeg;base64,${source.bytes.toString('base64')}`);
    assert.equal(input.prompt_strength, 0.6);
  });

  test('an output uploaded to a URL is handed back as that URL', async () => {
    reset();
    fake.plan = () => ({ upload: true });
    const [file] = succeeded(await run(settings(), request()));
    assert.equal((await sharp(file.bytes).metadata()).width, 1344);
  });

  test("a failed prediction is generation_failed with the model's error; an NSFW refusal is content_moderated", async () => {
    reset();
    fake.plan = () => ({ error: 'CUDA out of memory' });
    const oom = failure(await run(settings(), request()));
    assert.equal(oom.failureCode, 'generation_failed');
    assert.match(oom.failureReason, /CUDA out of memory/);
    assert.equal(oom.retryable, true);

    reset();
    fake.plan = () => ({ error: 'NSFW content detected. Try running it again, or try a different prompt.' });
    const nsfw = failure(await run(settings(), request()));
    assert.equal(nsfw.failureCode, 'content_moderated');
    assert.equal(nsfw.retryable, false);
  });

  test("input Cog refuses is invalid_request with the field and Cog's words", async () => {
    reset();
    const refused = failure(await run(settings(), request({ aspect_ratio: '3:1' })));
    assert.equal(refused.failureCode, 'invalid_request');
    assert.match(refused.failureReason, /aspect_ratio: Input should be '1:1' or '16:9' or '9:16'/);
    assert.equal(fake.created.length, 0);
  });

  test('a container busy with other predictions (409) is waited out; past the give-up time it is rate_limited', async () => {
    reset();
    fake.plan = (input) => ({ ms: input.prompt === 'other' ? 300 : 20 });
    await undiciRequest(`${fake.url}/predictions`, { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ input: { prompt: 'other' } }) });
    succeeded(await run(settings(), request()));
    assert.ok(fake.requests.filter((r) => r.method === 'PUT').length >= 2, 'retried after the 409');

    reset();
    fake.plan = (input) => ({ ms: input.prompt === 'other' ? 1_000 : 20 });
    await undiciRequest(`${fake.url}/predictions`, { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ input: { prompt: 'other' } }) });
    const busy = failure(await run(settings({ rate_limit_give_up_ms: 200 }), request()));
    assert.equal(busy.failureCode, 'rate_limited');
    assert.equal(busy.retryable, true);
    await new Promise((r) => setTimeout(r, 1_000));
  });

  test('a resumed job whose prediction still runs waits for it instead of starting a second one alongside', async () => {
    reset();
    fake.plan = () => ({ ms: 300 });
    const remoteJob = job(request());
    const id = predictionIdFor(remoteJob.idempotencyKey);
    // The earlier try's prediction, still running when the new worker submits:
    await undiciRequest(`${fake.url}/predictions/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ id, input: { prompt: 'A lighthouse at dusk' } }) });
    const started = Date.now();
    succeeded(await runRemote(factory, settings(), remoteJob, remoteContext(settings())));
    assert.ok(Date.now() - started >= 250, 'waited for the running prediction');
    const puts = fake.requests.filter((r) => r.method === 'PUT' && r.path === `/predictions/${id}`);
    assert.ok(puts.length >= 3, 'polled while it ran');
    // Cog forgets an ended prediction, so its output is gone: the job runs it once more, after it, never beside it.
    assert.equal(fake.created.length, 2);
  });

  test('a container that dies mid-prediction, or is still setting up (503), fails retryably', async () => {
    reset();
    fake.plan = () => ({ lose: true });
    const lost = failure(await run(settings(), request()));
    assert.equal(lost.failureCode, 'generation_failed');
    assert.equal(lost.retryable, true);

    reset();
    fake.plan = () => ({ status: 503 });
    const setup = failure(await run(settings(), request()));
    assert.equal(setup.failureCode, 'generation_failed');
    assert.equal(setup.retryable, true);
    assert.match(setup.detail ?? '', /503/);
  });

  test('a prediction slower than job_timeout_ms fails retryably, and Cog cancels it when we hang up', async () => {
    reset();
    fake.plan = () => ({ ms: 2_000 });
    const slow = failure(await run(settings({ job_timeout_ms: 300 }), request()));
    assert.equal(slow.failureCode, 'generation_failed');
    assert.equal(slow.retryable, true);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(fake.cancelled.length, 1);
  });

  const broken = [
    ['a truncated data URL image', { truncated: true }, 'generation_failed'],
    ['a malformed data URL', { malformed: true }, 'generation_failed'],
    ['no output at all', { noOutput: true }, 'output_not_found'],
  ] as const;
  for (const [name, plan, code] of broken) {
    test(`${name} fails cleanly as ${code}`, async () => {
      reset();
      fake.plan = () => plan;
      assert.equal(failure(await run(settings(), request())).failureCode, code);
    });
  }

  test('an input mapping naming an unknown placeholder stops the start', () => {
    assert.throws(() => factory.create(settings({ input: { prompt: '{{promt}}' } }) as never, { logger: undefined as never, configDir: '.' }), /engines\.flux\.input: unknown placeholder \{\{promt\}\}/);
  });

  test('fillInput keeps literals, types whole placeholders and leaves out what has no value', () => {
    assert.deepEqual(fillInput({ a: '{{width}}', b: 'w={{width}}', c: '{{source}}', d: 'x {{source}}', e: [1], f: true }, { width: 512 }), { a: 512, b: 'w=512', e: [1], f: true });
  });
});

/** The callbacks port as the API role and the store give it, in memory, behind a loopback receiver. */
async function callbackReceiver() {
  const posts = new Map<string, { payload: unknown; terminal: boolean }>();
  let refuse = 0;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (refuse > 0) {
      refuse--;
      return void res.writeHead(503).end();
    }
    const id = decodeURIComponent(new URL(req.url!, 'http://x').pathname.split('/').pop()!);
    const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: string };
    if (!posts.get(id)?.terminal) posts.set(id, { payload, terminal: ['succeeded', 'failed', 'canceled'].includes(payload.status ?? '') });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  const listening = await listenLoopback(server);
  const callbacks: EngineCallbacks = {
    url: (engine, id, base = listening.url) => `${base}/engine-callbacks/${engine}/${encodeURIComponent(id)}`,
    latest: async (_engine, id) => posts.get(id),
  };
  return { callbacks, posts, close: listening.close, refuseNext: (n: number) => (refuse = n) };
}

describe('cog engine with webhook delivery', () => {
  let fake: FakeCog;
  let receiver: Awaited<ReturnType<typeof callbackReceiver>>;
  const entry = (over: Record<string, unknown> = {}) =>
    resolvedEntry('flux', { base_url: fake.url, input: MAPPING, delivery: 'webhook', poll_interval_ms: 30, request_timeout_ms: 2_000, rate_limit_give_up_ms: 2_000, ...over });
  const engine = (e: ResolvedEngineEntry<unknown>) => factory.create(e as never, { logger: undefined as never, configDir: '.', callbacks: receiver.callbacks });

  before(async () => {
    fake = await fakeCog({ inputs: { prompt: { type: 'string', required: true }, aspect_ratio: { type: 'string' }, seed: { type: 'integer' }, num_outputs: { type: 'integer' }, caption: { type: 'string' } } });
    receiver = await callbackReceiver();
  });
  after(async () => {
    await fake.close();
    await receiver.close();
  });

  test('the prediction starts with Prefer: respond-async and a webhook; the completed post carries the file; logs become progress', async () => {
    fake.plan = () => ({ ms: 200 });
    const e = entry();
    const remoteJob = job(request());
    const ctx = remoteContext(e);
    const submitted = await engine(e).submit(remoteJob, ctx);
    const id = predictionIdFor(remoteJob.idempotencyKey);
    assert.deepEqual(submitted, { kind: 'submitted', handle: { id } });
    const sent = fake.requests.at(-1)!;
    assert.equal(sent.prefer, 'respond-async');
    assert.deepEqual((sent.body as { webhook_events_filter: string[] }).webhook_events_filter, ['start', 'logs', 'completed']);
    assert.match((sent.body as { webhook: string }).webhook, new RegExp(`/engine-callbacks/flux/${id}$`));
    const waited = await engine(e).wait({ id }, remoteJob, ctx);
    assert.equal(waited.kind, 'done', JSON.stringify(waited));
    assert.ok(ctx.seen.some((f) => f > 0.4 && f < 0.6), `progress from the tqdm bar in the logs: ${ctx.seen}`);
  });

  test('a resumed wait reads the stored post: nothing is sent to Cog again', async () => {
    fake.plan = () => ({ ms: 20 });
    const e = entry();
    const remoteJob = job(request());
    const first = await engine(e).submit(remoteJob, remoteContext(e));
    assert.equal(first.kind, 'submitted');
    await new Promise((r) => setTimeout(r, 300)); // the prediction ends while no worker waits
    const requests = fake.requests.length;
    const waited = await engine(e).wait((first as { handle: { id: string } }).handle, remoteJob, remoteContext(e));
    assert.equal(waited.kind, 'done');
    assert.equal(fake.requests.length, requests);
  });

  test("a completed post Atelier couldn't take at first is retried by Cog until it lands", async () => {
    fake.plan = () => ({ ms: 20 });
    receiver.refuseNext(3); // start, logs (lost: fire and forget), then the first completed post
    const e = entry();
    const run = await runRemoteWith(e, job(request()));
    assert.ok(run.ok, JSON.stringify(run));
    assert.ok(fake.webhooks.some((w) => w.event === 'completed' && w.status === 503));
  });

  test('a container that dies mid-prediction sends no completed post: the job times out retryably', async () => {
    fake.plan = () => ({ lose: true, ms: 5_000 });
    const e = entry({ job_timeout_ms: 400 });
    const abort = AbortSignal.timeout(400);
    const ctx = remoteContext(e, abort);
    const remoteJob = job(request());
    const submitted = await engine(e).submit(remoteJob, ctx);
    assert.equal(submitted.kind, 'submitted');
    await assert.rejects(engine(e).wait((submitted as { handle: { id: string } }).handle, remoteJob, ctx), 'the machinery turns the timeout into a retryable failure');
  });

  test('webhook delivery without an address Cog can reach stops the start', () => {
    const none: EngineCallbacks = { url: () => undefined, latest: async () => undefined };
    assert.throws(() => factory.create(entry() as never, { logger: undefined as never, configDir: '.', callbacks: none }), /delivery: webhook needs the address Cog posts to/);
  });

  async function runRemoteWith(e: ResolvedEngineEntry<unknown>, remoteJob: ReturnType<typeof job>) {
    const ctx = remoteContext(e);
    const eng = engine(e);
    const submitted = await eng.submit(remoteJob, ctx);
    if (submitted.kind !== 'submitted') return { ok: false, submitted };
    const waited = await eng.wait(submitted.handle, remoteJob, ctx);
    return { ok: waited.kind === 'done', waited };
  }
});
