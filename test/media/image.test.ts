import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { forgedPng } from '../helpers/forged-png.js';
import sharp from 'sharp';
import { dominantColours, encodeImage, probeImage, type ProbeResult } from '../../src/media/image.js';

const limits = { maxPixels: 64_000_000, maxSide: 8000 };

/** Noise, so that every part of the file carries pixel data. */
const noisy = (format: 'png' | 'jpeg' | 'webp' | 'gif', width = 300, height = 200) =>
  sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).toFormat(format).toBuffer();

const failure = (result: ProbeResult) => (result.ok ? 'ok' : result.failureCode);

describe('probeImage', () => {
  test('accepts JPEG, PNG, WebP and still GIF with their dimensions', async () => {
    for (const format of ['jpeg', 'png', 'webp', 'gif'] as const) {
      assert.deepEqual(await probeImage(await noisy(format, 37, 23), limits), { ok: true, format, width: 37, height: 23 });
    }
  });

  test('reports a JPEG with an EXIF rotation at its displayed size', async () => {
    const sideways = await sharp({ create: { width: 60, height: 20, channels: 3, background: '#808080' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    assert.deepEqual(await probeImage(sideways, limits), { ok: true, format: 'jpeg', width: 20, height: 60 });
  });

  test('refuses what is not a JPEG, PNG, WebP or GIF as unsupported_format', async () => {
    const others = {
      pdf: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'),
      html: Buffer.from('<!doctype html><html><body><img src="x.png"></body></html>'),
      text: Buffer.from('just some words'),
      svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
      mp4: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42isommp42')]),
      tiff: await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).tiff().toBuffer(),
      empty: Buffer.alloc(0),
    };
    for (const [name, bytes] of Object.entries(others)) {
      assert.equal(failure(await probeImage(bytes, limits)), 'unsupported_format', name);
    }
  });

  test('refuses an animated GIF as unsupported_format: still GIF only', async () => {
    const frame = (colour: string) => sharp({ create: { width: 20, height: 20, channels: 4, background: colour } }).raw().toBuffer();
    const frames = Buffer.concat([await frame('#ff0000'), await frame('#0000ff')]);
    const animated = await sharp(frames, { raw: { width: 20, height: 40, channels: 4, pageHeight: 20 } }).gif().toBuffer();
    const result = await probeImage(animated, limits);
    assert.equal(failure(result), 'unsupported_format');
    assert.match(result.ok ? '' : result.reason, /still GIF only/);
  });

  test('refuses a PNG, JPEG or WebP cut in half as corrupt_input', async () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const whole = await noisy(format);
      assert.equal(failure(await probeImage(whole.subarray(0, whole.length >> 1), limits)), 'corrupt_input', format);
      assert.equal(failure(await probeImage(whole.subarray(0, whole.length - 40), limits)), 'corrupt_input', `${format} missing its end`);
    }
  });

  test('refuses a PNG with damaged pixel data as corrupt_input', async () => {
    const damaged = Buffer.from(await noisy('png'));
    damaged.fill(0x5a, damaged.length >> 1, (damaged.length >> 1) + 64);
    assert.equal(failure(await probeImage(damaged, limits)), 'corrupt_input');
  });

  test('refuses a tiny PNG declaring 100000×100000 as image_too_large from the header alone', async () => {
    const bomb = forgedPng(100_000, 100_000);
    assert.ok(bomb.length < 2048, 'the bomb is a small file');
    const started = performance.now();
    const result = await probeImage(bomb, limits);
    const elapsed = performance.now() - started;
    assert.equal(failure(result), 'image_too_large');
    assert.match(result.ok ? '' : result.reason, /100000×100000/);
    assert.ok(elapsed < 200, `took ${elapsed.toFixed(0)} ms`);
  });

  test('applies the per-side limit and the total-pixel limit', async () => {
    const tall = await sharp({ create: { width: 10, height: 9000, channels: 3, background: '#000' } }).png().toBuffer();
    const side = await probeImage(tall, limits);
    assert.equal(failure(side), 'image_too_large');
    assert.equal(side.ok ? '' : side.reason, 'image is 10×9000 pixels; the limit is 8000 per side');

    const total = await probeImage(await noisy('png', 300, 200), { maxPixels: 50_000, maxSide: 8000 });
    assert.equal(failure(total), 'image_too_large');
    assert.match(total.ok ? '' : total.reason, /300×200/);
  });
});

describe('media primitives', () => {
  test('dominantColours finds the main colours of an image, most common first', async () => {
    const flag = await sharp({ create: { width: 90, height: 60, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .composite([{ input: { create: { width: 30, height: 60, channels: 3, background: { r: 0, g: 0, b: 255 } } }, left: 60, top: 0 }])
      .png()
      .toBuffer();
    assert.deepEqual(await dominantColours(flag, 3), [
      { r: 255, g: 0, b: 0 },
      { r: 0, g: 0, b: 255 },
    ]);
  });

  test('encodeImage gives the same bytes for the same pixels, in the format asked for', async () => {
    const image = { data: Buffer.alloc(64 * 48 * 3, 0x7f), width: 64, height: 48, channels: 3 as const };
    const [png, again, jpeg] = await Promise.all([encodeImage(image, 'png'), encodeImage(image, 'png'), encodeImage(image, 'jpeg')]);
    assert.ok(png.equals(again));
    assert.equal((await sharp(png).metadata()).format, 'png');
    assert.equal((await sharp(jpeg).metadata()).format, 'jpeg');
  });
});
