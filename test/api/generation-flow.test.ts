import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { download, generate, KEY_B, ManualClock, startTestServer, type TestServer } from '../helpers/server.js';
import { imageInfo, solidImage } from '../helpers/images.js';

const SIZES: Record<string, [number, number]> = {
  '3:1': [3360, 1248],
  '2:1': [2912, 1440],
  '16:9': [2784, 1504],
  '3:2': [2464, 1696],
  '1:1': [2048, 2048],
  '2:3': [1696, 2464],
  '9:16': [1504, 2784],
  '1:2': [1440, 2912],
  '1:3': [1248, 3360],
};

const b64 = (bytes: Buffer) => bytes.toString('base64');

/** A loopback server standing in for the public web that refs are fetched from. */
async function imageHost(files: Record<string, { type: string; body: Buffer; status?: number }>) {
  const server = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) return res.writeHead(404).end();
    res.writeHead(file.status ?? 200, { 'content-type': file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

describe('image generation end to end', () => {
  let ts: TestServer;
  const clock = new ManualClock();
  before(async () => {
    ts = await startTestServer({ workers: '2' }, { clock });
  });
  after(() => ts.close());

  test('submit → poll → download gives a real PNG of the 16:9 size by default', async () => {
    const done = await generate(ts, { prompt: 'A neon-lit Tokyo alley in the rain' });
    assert.equal(done.state, 'completed');
    assert.equal(done.failure_code, null);
    assert.equal(done.output.length, 1);
    assert.equal(done.output[0].type, 'image');
    assert.ok(done.output[0].url.startsWith(`${ts.url}/v1/blobs/`));
    const res = await fetch(done.output[0].url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
    assert.deepEqual(await imageInfo(bytes), { format: 'png', width: 2784, height: 1504 });
  });

  for (const [ratio, [width, height]] of Object.entries(SIZES)) {
    test(`aspect_ratio ${ratio} as JPEG is exactly ${width}×${height}`, async () => {
      const done = await generate(ts, { prompt: `ratio ${ratio}`, aspect_ratio: ratio, output_format: 'jpeg', model: 'uni-1-max' });
      assert.equal(done.model, 'uni-1-max');
      const bytes = await download(done.output[0].url);
      assert.deepEqual(await imageInfo(bytes), { format: 'jpeg', width, height });
    });
  }

  test('the same request body gives byte-identical output; another prompt does not', async () => {
    const body = { prompt: 'A white cat wearing a tiny crown', aspect_ratio: '1:1' };
    const [a, b, c] = await Promise.all([generate(ts, body), generate(ts, body), generate(ts, { ...body, prompt: 'A black cat' })]);
    assert.notEqual(a.id, b.id);
    const [x, y, z] = await Promise.all([download(a.output[0].url), download(b.output[0].url), download(c.output[0].url)]);
    assert.ok(x.equals(y));
    assert.ok(!x.equals(z));
  });

  test('image_edit keeps the source size; chaining edits through source.generation_id works', async () => {
    const source = await solidImage(640, 480, 'jpeg', { r: 30, g: 120, b: 200 });
    const edit = await generate(ts, {
      prompt: 'make it sunset',
      type: 'image_edit',
      source: { data: b64(source), media_type: 'image/jpeg' },
    });
    assert.equal(edit.state, 'completed', JSON.stringify(edit));
    const edited = await download(edit.output[0].url);
    assert.deepEqual(await imageInfo(edited), { format: 'jpeg', width: 640, height: 480 });

    const chained = await generate(ts, { prompt: 'now in manga', type: 'image_edit', style: 'manga', source: { generation_id: edit.id } });
    assert.equal(chained.state, 'completed', JSON.stringify(chained));
    const info = await imageInfo(await download(chained.output[0].url));
    assert.equal(info.width, 640);
    assert.equal(info.height, 480);

    const foreign = await ts.call('POST', '/v1/generations', {
      key: KEY_B,
      body: { prompt: 'steal', type: 'image_edit', source: { generation_id: edit.id } },
    });
    assert.equal(foreign.status, 422);
    assert.deepEqual(await foreign.json(), { detail: `source: generation ${edit.id} not found` });
  });

  test('chaining off a generation that is not completed is a 422', async () => {
    const slow = await ts.call('POST', '/v1/generations', { key: KEY_B, body: { prompt: 'x' } });
    const { id } = await slow.json();
    const res = await ts.call('POST', '/v1/generations', { key: KEY_B, body: { prompt: 'e', type: 'image_edit', source: { generation_id: id } } });
    if (res.status !== 201) {
      assert.equal(res.status, 422);
      assert.match((await res.json()).detail, new RegExp(`^source: generation ${id} is (queued|processing), not completed$`));
    }
  });

  test('refs by URL are fetched; HTTP errors and non-images are 422s', async () => {
    const host = await imageHost({
      '/red.png': { type: 'image/png', body: await solidImage(64, 64, 'png', { r: 255, g: 0, b: 0 }) },
      '/page.html': { type: 'text/html', body: Buffer.from('<html></html>') },
    });
    try {
      const done = await generate(ts, { prompt: 'use the red', image_ref: [{ url: `${host.url}/red.png` }] });
      assert.equal(done.state, 'completed');
      for (const [path, detail] of [
        ['/missing.png', 'image_ref[0]: failed to fetch URL (HTTP 404)'],
        ['/page.html', 'image_ref[0]: content-type is not an image'],
      ]) {
        const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', image_ref: [{ url: host.url + path }] } });
        assert.equal(res.status, 422);
        assert.deepEqual(await res.json(), { detail });
      }
      const refused = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', image_ref: [{ url: 'http://127.0.0.1:1/x.png' }] } });
      assert.equal(refused.status, 422);
      assert.deepEqual(await refused.json(), { detail: 'image_ref[0]: failed to fetch URL' });
    } finally {
      await host.close();
    }
  });

  test('bad input bytes end the generation as failed with the right failure_code', async () => {
    const png = await solidImage(32, 32, 'png');
    const hugeHeader = Buffer.from(png);
    hugeHeader.writeUInt32BE(100_000, 16);
    hugeHeader.writeUInt32BE(100_000, 20);
    hugeHeader.writeUInt32BE(zlib.crc32(hugeHeader.subarray(12, 29)), 29);
    const cases: Array<[Buffer, string, RegExp]> = [
      [png.subarray(0, png.length - 20), 'corrupt_input', /^source: /],
      [Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), 'unsupported_format', /^source: /],
      [hugeHeader, 'image_too_large', /^source: /],
    ];
    for (const [bytes, code, reason] of cases) {
      const done = await generate(ts, { prompt: 'p', type: 'image_edit', source: { data: b64(bytes), media_type: 'image/png' } });
      assert.equal(done.state, 'failed');
      assert.equal(done.failure_code, code);
      assert.match(done.failure_reason, reason);
      assert.deepEqual(done.output, []);
    }
  });

  test('output URLs are minted fresh on every GET and expire after an hour; tampering is refused', async () => {
    const done = await generate(ts, { prompt: 'expiry', aspect_ratio: '1:1' });
    const url = new URL(done.output[0].url);
    assert.equal((await fetch(url)).status, 200);

    const tampered = new URL(url);
    tampered.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    const forged = await fetch(tampered);
    assert.equal(forged.status, 403);
    assert.deepEqual(await forged.json(), { detail: 'Signed URL signature is invalid' });
    const otherKey = new URL(url.href.replace('output-0', 'output-1'));
    assert.equal((await fetch(otherKey)).status, 403);

    clock.advance(3601_000);
    const expired = await fetch(url);
    assert.equal(expired.status, 403);
    assert.deepEqual(await expired.json(), { detail: 'Signed URL has expired' });
    const again = await (await ts.call('GET', `/v1/generations/${done.id}`)).json();
    assert.notEqual(again.output[0].url, done.output[0].url);
    assert.equal((await fetch(again.output[0].url)).status, 200);
  });
});
