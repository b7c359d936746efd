import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KEY_B, startTestServer, type TestServer } from '../helpers/server.js';
import { solidImage } from '../helpers/images.js';

const FAULT = 'x-atelier-fault';

describe('Idempotency-Key (extension)', () => {
  let ts: TestServer;
  const count = async () => (await ts.server.store.db.selectFrom('generations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  before(async () => {
    ts = await startTestServer({ workers: '0', credits: '10' });
  });
  after(() => ts.close());

  const post = (body: unknown, key: string, extra: Record<string, string> = {}, as?: string) =>
    ts.call('POST', '/v1/generations', { body, key: as, headers: { 'idempotency-key': key, ...extra } });

  test('the same key and body replays the first 201 byte for byte and creates nothing', async () => {
    const before = Number(await count());
    const first = await post({ prompt: 'once', aspect_ratio: '1:1' }, 'k-1');
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const text = await first.text();
    // Key order in the JSON doesn't make a different body.
    const again = await post({ aspect_ratio: '1:1', prompt: 'once' }, 'k-1');
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(await again.text(), text);
    assert.equal(Number(await count()), before + 1);
  });

  test('the same key with another body is a 422; the key is per client', async () => {
    await post({ prompt: 'a' }, 'k-2');
    const res = await post({ prompt: 'b' }, 'k-2');
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), {
      detail: "Idempotency-Key 'k-2' was already used with a different request body in the last 24 hours; use a new key for a new request",
    });
    const other = await post({ prompt: 'b' }, 'k-2', {}, KEY_B);
    assert.equal(other.status, 201, 'another client may use the same key');
  });

  test('a duplicate while the first is in flight is a 409', async () => {
    // The first request is held in flight by a slow URL input that never answers in time.
    const { default: http } = await import('node:http');
    const png = await solidImage(8, 8, 'png');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = http.createServer(async (_req, res) => {
      await gate;
      res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(slow.address() as { port: number }).port}/a.png`;
    try {
      const body = { prompt: 'slow', image_ref: [{ url }] };
      const first = post(body, 'k-3');
      await new Promise((r) => setTimeout(r, 300));
      const second = await post(body, 'k-3');
      assert.equal(second.status, 409);
      assert.deepEqual(await second.json(), { detail: "A request with Idempotency-Key 'k-3' is still being processed; retry once it has finished" });
      release();
      assert.equal((await first).status, 201);
      const third = await post(body, 'k-3');
      assert.equal(third.status, 201);
      assert.equal(third.headers.get('idempotent-replayed'), 'true');
    } finally {
      release();
      slow.close();
    }
  });

  test('a deterministic refusal is replayed; a retryable one (5xx, 429) lets the retry run again', async () => {
    const refused = await post({ prompt: 'x' }, 'k-4', { [FAULT]: 'http:402' });
    assert.equal(refused.status, 402);
    const replay = await post({ prompt: 'x' }, 'k-4');
    assert.equal(replay.status, 402, 'the stored 402 is replayed, whatever the retry sends in headers');
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    const flaky = await post({ prompt: 'y' }, 'k-5', { [FAULT]: 'flaky:1' });
    assert.equal(flaky.status, 502);
    const retried = await post({ prompt: 'y' }, 'k-5', { [FAULT]: 'flaky:1' });
    assert.equal(retried.status, 201);
    assert.equal(retried.headers.get('idempotent-replayed'), null);
  });

  test('a malformed key is a 400', async () => {
    const res = await post({ prompt: 'x' }, 'x'.repeat(256));
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { detail: 'Idempotency-Key must be 1 to 255 visible ASCII characters' });
  });

  test('keys hold across a restart (they are in the store)', async () => {
    const first = await post({ prompt: 'durable' }, 'k-6');
    const text = await first.text();
    const dataDir = ts.dataDir;
    await ts.server.close();
    ts = await startTestServer({ workers: '0', credits: '10', dataDir });
    const again = await post({ prompt: 'durable' }, 'k-6');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(await again.text(), text);
  });

  test('POST /v1/files: JSON and multipart creates are idempotent too', async () => {
    const json = { mime_type: 'image/png', size_bytes: 100 };
    const a = await ts.call('POST', '/v1/files', { body: json, headers: { 'idempotency-key': 'f-1' } });
    const b = await ts.call('POST', '/v1/files', { body: json, headers: { 'idempotency-key': 'f-1' } });
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assert.equal((await a.json()).id, (await b.json()).id);
    const png = await solidImage(8, 8, 'png');
    const upload = () => {
      const form = new FormData();
      form.append('purpose', 'input');
      form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'a.png');
      return fetch(`${ts.url}/v1/files`, { method: 'POST', body: form, headers: { authorization: `Bearer luma-api-test-client-a-0123456789abcdef`, 'idempotency-key': 'f-2' } });
    };
    const first = await upload();
    assert.equal(first.status, 201);
    const second = await upload();
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal((await first.json()).id, (await second.json()).id);
  });
});

describe('Idempotency-Key under --strict', () => {
  test('is ignored: each request creates a generation', async () => {
    const ts = await startTestServer({ workers: '0', strict: 'true' });
    try {
      const headers = { 'idempotency-key': 'same' };
      const a = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'x' }, headers })).json();
      const b = await ts.call('POST', '/v1/generations', { body: { prompt: 'x' }, headers });
      assert.equal(b.headers.get('idempotent-replayed'), null);
      assert.notEqual((await b.json()).id, a.id);
    } finally {
      await ts.close();
    }
  });
});
