import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { forgedPng } from '../helpers/forged-png.js';
import { solidImage } from '../helpers/images.js';
import { generate, startTestServer, type TestServer } from '../helpers/server.js';

const b64 = (bytes: Buffer) => bytes.toString('base64');
const edit = (data: string, media_type: string | null = 'image/png') => ({ prompt: 'p', type: 'image_edit', source: { data, media_type } });

describe('input decoding is hardened', () => {
  let ts: TestServer;
  let png: Buffer;
  before(async () => {
    ts = await startTestServer({ workers: '1' });
    png = await solidImage(24, 16);
  });
  after(() => ts.close());

  const post = async (body: unknown) => {
    const res = await ts.call('POST', '/v1/generations', { body });
    return { status: res.status, body: await res.json() };
  };

  test('a media_type that names another format than the bytes is a 422 at submit', async () => {
    assert.deepEqual(await post(edit(b64(png), 'image/jpeg')), {
      status: 422,
      body: { detail: "source: media_type 'image/jpeg' does not match the data, which is PNG" },
    });
    const jpeg = await solidImage(24, 16, 'jpeg');
    assert.deepEqual(await post({ prompt: 'p', image_ref: [{ data: b64(jpeg), media_type: 'image/webp' }] }), {
      status: 422,
      body: { detail: "image_ref[0]: media_type 'image/webp' does not match the data, which is JPEG" },
    });
    assert.deepEqual(await post(edit(b64(png), 'image/tiff')), {
      status: 422,
      body: { detail: "source: media_type 'image/tiff' does not match the data, which is PNG" },
    });
  });

  test('common aliases of a media type are accepted', async () => {
    const jpeg = await solidImage(24, 16, 'jpeg');
    const done = await generate(ts, edit(b64(jpeg), 'image/jpg'));
    assert.equal(done.state, 'completed');
  });

  test('base64 is strict: garbage, a data: URL prefix and a bad length are 422', async () => {
    for (const data of ['!!!!', `data:image/png;base64,${b64(png)}`, b64(png).slice(0, -1), '', 'QUJD=A==']) {
      assert.deepEqual(await post(edit(data)), { status: 422, body: { detail: 'source: invalid base64 data' } }, data.slice(0, 30));
    }
  });

  test('a base64 string decoding past 50 MB is a 413 before anything is decoded', async () => {
    const huge = 'A'.repeat(Math.ceil((50 * 1024 * 1024 + 1) / 3) * 4);
    assert.deepEqual(await post({ prompt: 'p', image_ref: [{ data: huge, media_type: 'image/png' }] }), {
      status: 413,
      body: { detail: 'image_ref[0]: image exceeds 50 MB limit' },
    });
  });

  test('a tiny PNG declaring 100000×100000 fails as image_too_large and the server stays up', async () => {
    const bomb = forgedPng(100_000, 100_000);
    assert.ok(bomb.length < 2048);
    const done = await generate(ts, edit(b64(bomb)));
    assert.equal(done.failure_code, 'image_too_large');
    assert.equal(done.failure_reason, 'source: image is 100000×100000 pixels; the limit is 8000 per side');
    const healthy = await fetch(`${ts.url}/healthz`);
    assert.equal(healthy.status, 200);
  });

  test('JPEG and GIF headers declaring huge sizes fail as image_too_large; memory stays bounded', async () => {
    const base = (format: 'jpeg' | 'gif') => sharp({ create: { width: 16, height: 16, channels: 3, background: '#345' } }).toFormat(format).toBuffer();
    const jpeg = Buffer.from(await base('jpeg'));
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(65000, sof + 5);
    jpeg.writeUInt16BE(65000, sof + 7);
    const gif = Buffer.from(await base('gif'));
    gif.writeUInt16LE(60000, 6); // logical screen
    gif.writeUInt16LE(60000, 8);
    const descriptor = gif.indexOf(0x2c, 13); // first image descriptor
    gif.writeUInt16LE(60000, descriptor + 5);
    gif.writeUInt16LE(60000, descriptor + 7);

    const before = process.memoryUsage().rss;
    for (const [bytes, type, size] of [
      [jpeg, 'image/jpeg', '65000×65000'],
      [gif, 'image/gif', '60000×60000'],
      [forgedPng(100_000, 100_000), 'image/png', '100000×100000'],
    ] as const) {
      const done = await generate(ts, edit(b64(bytes), type));
      assert.equal(done.failure_code, 'image_too_large', type);
      assert.match(done.failure_reason, new RegExp(size));
    }
    // Decoding any one of them would take gigabytes.
    assert.ok(process.memoryUsage().rss - before < 256 * 1024 * 1024);
  });

  test('polyglots (an image with other content appended) fail as unsupported_format', async () => {
    const script = Buffer.from('<html><script>document.write(1)</script></html>');
    const jpeg = await sharp({ create: { width: 24, height: 16, channels: 3, background: '#123456' } }).jpeg().toBuffer();
    for (const [bytes, mediaType, name] of [
      [Buffer.concat([png, script]), 'image/png', 'PNG'],
      [Buffer.concat([jpeg, Buffer.from('PK\u0003\u0004zipzipzip')]), 'image/jpeg', 'JPEG'],
    ] as const) {
      const done = await generate(ts, edit(b64(bytes), mediaType));
      assert.equal(done.state, 'failed');
      assert.equal(done.failure_code, 'unsupported_format');
      assert.match(done.failure_reason, new RegExp(`^source: \\d+ bytes of other data follow the end of the ${name} image$`));
    }
  });

  test('a truncated file fails as corrupt_input; an animated GIF as unsupported_format', async () => {
    const truncated = await generate(ts, edit(b64(png.subarray(0, png.length - 20))));
    assert.equal(truncated.failure_code, 'corrupt_input');
    const frame = (colour: string) => sharp({ create: { width: 8, height: 8, channels: 4, background: colour } }).raw().toBuffer();
    const frames = Buffer.concat([await frame('#ff0000'), await frame('#0000ff')]);
    const animated = await sharp(frames, { raw: { width: 8, height: 16, channels: 4, pageHeight: 8 } }).gif().toBuffer();
    const gif = await generate(ts, edit(b64(animated), 'image/gif'));
    assert.equal(gif.failure_code, 'unsupported_format');
    assert.equal(gif.failure_reason, 'source: animated GIF; still GIF only');
  });
});
