import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  APIConnectionError,
  APIUserAbortError,
  Atelier,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  WaitTimeoutError,
  download,
  type Generation,
} from '../../src/client/index.js';
import { fakeHttp } from '../helpers/fake-http.js';
import { imageInfo } from '../helpers/images.js';
import { KEY_A, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const ADMIN = 'sdk-admin-token';
const GENERATION = { id: '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e', type: 'image', state: 'queued', model: 'uni-1', created_at: '2026-04-08T12:00:00Z', output: [], failure_reason: null, failure_code: null };

describe('TypeScript SDK against a real server', () => {
  let ts: TestServer;
  let sdk: Atelier;
  before(async () => {
    ts = await startTestServer({ workers: '2' }, { env: { ATELIER_ADMIN_TOKEN: ADMIN } });
    sdk = new Atelier({ apiKey: KEY_A, baseURL: `${ts.url}/v1`, env: {} });
  });
  after(() => ts.close());

  test('create, waitFor with progress, and download a real PNG', async () => {
    const created = await sdk.generations.create({ prompt: 'a lighthouse at dusk', aspect_ratio: '16:9' });
    assert.equal(created.state, 'queued');
    const seen: string[] = [];
    const done = await sdk.generations.waitFor(created.id, { interval: 20, onProgress: (g) => seen.push(g.state) });
    assert.equal(done.state, 'completed');
    assert.equal(seen.at(-1), 'completed');
    assert.equal(done.output.length, 1);

    const dir = tempDir();
    try {
      const file = await download(done.output[0]!, path.join(dir, 'nested', 'out.png'));
      assert.equal(file, path.join(dir, 'nested', 'out.png'));
      assert.deepEqual(await imageInfo(fs.readFileSync(file)), { format: 'png', width: 2784, height: 1504 });
      const intoDir = await sdk.download(done.output[0]!, `${dir}/`);
      assert.equal(path.dirname(intoDir), dir);
      assert.match(path.basename(intoDir), /\.png$/);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'nested')), ['out.png'], 'no partial file is left behind');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every error status maps to its class, with detail, status and request id', async () => {
    const expectError = async (promise: Promise<unknown>, Class: new (...args: any[]) => any, status: number, detail: string | RegExp) => {
      const err: any = await promise.then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof Class, `${err?.name} is a ${Class.name}`);
      assert.equal(err.status, status);
      if (typeof detail === 'string') assert.equal(err.detail, detail);
      else assert.match(err.detail, detail);
      assert.ok(err.requestId, 'carries the request id');
      return err;
    };

    await expectError(sdk.generations.create({ prompt: '' }), BadRequestError, 400, 'Prompt must be between 1 and 6000 characters');
    const bad = new Atelier({ apiKey: 'luma-api-not-a-real-key-00000000000000', baseURL: `${ts.url}/v1`, env: {} });
    await expectError(bad.generations.get(GENERATION.id), AuthenticationError, 401, 'Invalid API key');
    await expectError(sdk.generations.get(GENERATION.id), NotFoundError, 404, 'Generation not found');
    await expectError(
      sdk.generations.create({ prompt: 'x', image_ref: [{ data: 'not base64!', media_type: 'image/png' }] }),
      UnprocessableEntityError,
      422,
      'image_ref[0]: invalid base64 data',
    );

    const admin = (method: string, route: string, body?: unknown) =>
      ts.call(method, `/admin/v1${route}`, { key: null, headers: { authorization: `Bearer ${ADMIN}` }, body });
    const { client, key } = await (await admin('POST', '/clients', { name: 'limited', credits_usd: null, rpm_limit: 1 })).json();
    const limited = new Atelier({ apiKey: key, baseURL: `${ts.url}/v1`, maxRetries: 0, env: {} });
    await limited.generations.create({ prompt: 'first' });
    const limitedErr = await expectError(limited.generations.create({ prompt: 'second' }), RateLimitError, 429, /rate limit/i);
    assert.ok(Number(limitedErr.headers.get('retry-after')) > 0, 'the 429 carries Retry-After');

    await admin('PATCH', `/clients/${client.id}`, { status: 'suspended' });
    await expectError(limited.generations.get(GENERATION.id), PermissionDeniedError, 403, /suspended/);
  });

  test('LUMA_CUSTOM_HEADERS are sent on every request', async () => {
    const custom = new Atelier({ apiKey: KEY_A, baseURL: `${ts.url}/v1`, env: { LUMA_CUSTOM_HEADERS: 'X-Request-Id: my-trace-7\nX-Other: 1' } });
    const err = await custom.generations.get(GENERATION.id).catch((e) => e);
    assert.ok(err instanceof NotFoundError);
    assert.equal(err.requestId, 'my-trace-7', 'the server echoed the custom X-Request-Id');
  });

  test('waitFor times out, and an AbortSignal stops it', async () => {
    const idle = await startTestServer({ workers: '0' });
    try {
      const client = new Atelier({ apiKey: KEY_A, baseURL: `${idle.url}/v1`, env: {} });
      const created = await client.generations.create({ prompt: 'never runs' });
      const err = await client.generations.waitFor(created.id, { timeout: 150, interval: 20 }).catch((e) => e);
      assert.ok(err instanceof WaitTimeoutError);
      assert.equal(err.generationId, created.id);

      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const aborted = await client.generations.waitFor(created.id, { interval: 20, signal: controller.signal }).catch((e) => e);
      assert.ok(aborted instanceof APIUserAbortError, String(aborted));
    } finally {
      await idle.close();
    }
  });
});

describe('SDK retries, as the official SDKs', () => {
  test('a 429 is retried after its Retry-After (seconds), then succeeds', async () => {
    const fake = await fakeHttp((_, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '0.4' }, body: { detail: 'slow down' } } : { status: 201, body: GENERATION }));
    try {
      const sdk = new Atelier({ apiKey: 'luma-api-x', baseURL: fake.url, env: {} });
      const generation: Generation = await sdk.generations.create({ prompt: 'x' });
      assert.equal(generation.id, GENERATION.id);
      assert.equal(fake.requests.length, 2);
      assert.ok(fake.requests[1]!.at - fake.requests[0]!.at >= 390, 'waited at least Retry-After');
      assert.equal(fake.requests[1]!.headers['x-stainless-retry-count'], '1');
      assert.equal(fake.requests[1]!.headers.authorization, 'Bearer luma-api-x');
    } finally {
      await fake.close();
    }
  });

  test('retry-after-ms wins over Retry-After; 5xx is retried twice then thrown as InternalServerError', async () => {
    const fake = await fakeHttp(() => ({ status: 503, headers: { 'retry-after-ms': '30', 'retry-after': '120' }, body: { detail: 'busy' } }));
    try {
      const sdk = new Atelier({ apiKey: 'luma-api-x', baseURL: fake.url, env: {} });
      const err = await sdk.generations.get(GENERATION.id).catch((e) => e);
      assert.ok(err instanceof InternalServerError);
      assert.equal(err.detail, 'busy');
      assert.equal(fake.requests.length, 3, 'one try and two retries');
    } finally {
      await fake.close();
    }
  });

  test('4xx other than 408/409/429 is not retried, and x-should-retry overrides', async () => {
    const fake = await fakeHttp((req) =>
      req.url.endsWith('/forced') ? { status: 400, headers: { 'x-should-retry': 'true', 'retry-after-ms': '1' }, body: { detail: 'again' } } : { status: 400, body: { detail: 'no' } },
    );
    try {
      const sdk = new Atelier({ apiKey: 'luma-api-x', baseURL: fake.url, env: {} });
      assert.ok((await sdk.generations.get('x').catch((e) => e)) instanceof BadRequestError);
      assert.equal(fake.requests.length, 1);
      await sdk.generations.get('forced').catch(() => undefined);
      assert.equal(fake.requests.length, 4);
      const never = await fakeHttp(() => ({ status: 500, headers: { 'x-should-retry': 'false' }, body: 'plain text failure' }));
      try {
        const err = await new Atelier({ apiKey: 'luma-api-x', baseURL: never.url, env: {} }).generations.get('x').catch((e) => e);
        assert.ok(err instanceof InternalServerError);
        assert.equal(err.detail, 'plain text failure', 'a non-JSON body becomes the detail');
        assert.equal(never.requests.length, 1);
      } finally {
        await never.close();
      }
    } finally {
      await fake.close();
    }
  });

  test('connection errors are retried, then reported as APIConnectionError', async () => {
    const fake = await fakeHttp(() => ({ status: 200, body: GENERATION }));
    const url = fake.url;
    await fake.close();
    const sdk = new Atelier({ apiKey: 'luma-api-x', baseURL: url, maxRetries: 1, env: {} });
    const err = await sdk.generations.get(GENERATION.id).catch((e) => e);
    assert.ok(err instanceof APIConnectionError, String(err));
  });

  test('the key and base URL come from LUMA_AGENTS_API_KEY and LUMA_BASE_URL', async () => {
    const fake = await fakeHttp(() => ({ status: 200, body: GENERATION }));
    try {
      const sdk = new Atelier({ env: { LUMA_AGENTS_API_KEY: 'luma-api-from-env', LUMA_BASE_URL: `${fake.url}/v1/` } });
      await sdk.generations.get(GENERATION.id);
      assert.equal(fake.requests[0]!.url, `/v1/generations/${GENERATION.id}`);
      assert.equal(fake.requests[0]!.headers.authorization, 'Bearer luma-api-from-env');
      assert.throws(() => new Atelier({ env: {} }), /LUMA_AGENTS_API_KEY/);
    } finally {
      await fake.close();
    }
  });
});
