import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { KEY_A, KEY_B, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';

/** A PNG of noise: about 3 bytes a pixel, so its base64 is large. */
const noisePng = (side: number) =>
  sharp(Buffer.from(Array.from({ length: side * side * 3 }, (_, i) => (i * 7919) % 251)), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();

/** Sends headers (and `body`, if any) over a raw socket; resolves with what came back once it closes. */
function rawRequest(url: string, head: string, body = '', holdOpenMs = 0): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
    socket.write(head + body);
    if (holdOpenMs) setTimeout(() => socket.destroy(), holdOpenMs);
  });
}

const post = (key: string, length: number) =>
  `POST /v1/generations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('large bodies are parsed off the main thread and cost their sender', () => {
  let ts: TestServer;
  let png: Buffer;
  before(async () => {
    ts = await startTestServer({ workers: '1', maxBodyBytesInFlight: String(3 * 1024 * 1024) });
    png = await noisePng(600);
    assert.ok(png.length > 1024 * 1024);
  });
  after(() => ts.close());

  test('a large body with a valid image is stored byte for byte and generated', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', image_ref: [{ data: png.toString('base64'), media_type: 'image/png' }] } });
    const created = await res.json();
    assert.equal(res.status, 201, JSON.stringify(created));
    assert.ok(fs.readFileSync(path.join(ts.dataDir, 'blobs', 'inputs', created.id, 'image_ref-0')).equals(png));
    assert.equal((await waitForGeneration(ts, created.id)).state, 'completed');
  });

  test('bad base64, bad JSON and a forged stand-in in large bodies are the same 4xx as in small ones', async () => {
    const bad = png.toString('base64').replace(/A/g, '!');
    const badRes = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', image_ref: [{ data: png.toString('base64'), media_type: 'image/png' }, { data: bad, media_type: 'image/png' }] } });
    assert.deepEqual({ status: badRes.status, body: await badRes.json() }, { status: 422, body: { detail: 'image_ref[1]: invalid base64 data' } });
    const json = await ts.call('POST', '/v1/generations', { body: `{"prompt": "${'x'.repeat(2 * 1024 * 1024)}` });
    assert.deepEqual({ status: json.status, body: await json.json() }, { status: 400, body: { detail: 'Request body is not valid JSON' } });
    const forged = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', image_ref: [{ data: '\u0000decoded:00000000-0000-0000-0000-000000000000:0', media_type: 'image/png' }] } });
    assert.deepEqual({ status: forged.status, body: await forged.json() }, { status: 422, body: { detail: 'image_ref[0]: invalid base64 data' } });
  });

  test('an unauthenticated large body is refused before it is read, and the connection closed', async () => {
    const answer = await rawRequest(ts.url, post('luma-api-nobody-0000000000000000000000', 100 * 1024 * 1024));
    assert.match(answer, /^HTTP\/1.1 401 /);
    assert.match(answer, /connection: close/i);
  });

  test('one key has at most its cap of body bytes in flight; other keys are not held up', async () => {
    const held = rawRequest(ts.url, post(KEY_A, 2 * 1024 * 1024), '{"prompt":', 1500);
    await new Promise((r) => setTimeout(r, 200));
    const body = JSON.stringify({ prompt: 'p', image_ref: [{ data: png.toString('base64'), media_type: 'image/png' }] });
    const refused = await ts.call('POST', '/v1/generations', { body });
    assert.deepEqual(
      { status: refused.status, body: await refused.json() },
      { status: 429, body: { detail: 'Too many request bytes in flight for this key: at most 3 MB at once' } },
    );
    assert.equal((await ts.call('POST', '/v1/generations', { key: KEY_B, body })).status, 201);
    await held;
    assert.equal((await ts.call('POST', '/v1/generations', { body })).status, 201, 'the cap is given back when a request ends');
  });
});

describe('large refused bodies count against the RPM limit', () => {
  test('with the window full a large body is a 429 before it is read', async () => {
    const ts = await startTestServer({ workers: '0', rpm: '2' });
    try {
      const junk = `{"prompt": "${'x'.repeat(1024 * 1024)}`;
      for (let i = 0; i < 2; i++) assert.equal((await ts.call('POST', '/v1/generations', { body: junk })).status, 400);
      const answer = await rawRequest(ts.url, post(KEY_A, 50 * 1024 * 1024));
      assert.match(answer, /^HTTP\/1.1 429 /);
      assert.match(answer, /retry-after: \d+/i);
      assert.match(answer, /\{"detail":"Rate limit exceeded"\}$/);
      assert.equal((await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } })).status, 429, 'small submits share the window');
    } finally {
      await ts.close();
    }
  });
});
