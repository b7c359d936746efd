import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import type { GenerationRequest } from '../../src/contract/index.js';
import type { ImageInput } from '../../src/engines/index.js';
import { chooseAspectRatio, previewEngine } from '../../src/engines/preview/index.js';
import { probeImage } from '../../src/media/image.js';
import { solidImage } from '../helpers/images.js';

const ctx = { signal: new AbortController().signal, progress() {} };
const request = (over: Partial<GenerationRequest>): GenerationRequest => ({
  prompt: 'A lighthouse at dusk',
  model: 'uni-1',
  type: 'image',
  aspect_ratio: '1:1',
  style: 'auto',
  output_format: 'png',
  web_search: false,
  user_id: null,
  source: null,
  image_ref: [],
  ...over,
});
const input = async (role: ImageInput['role'], bytes: Buffer): Promise<ImageInput> => {
  const meta = await sharp(bytes).metadata();
  return { role, index: 0, bytes, width: meta.width!, height: meta.height!, format: meta.format as ImageInput['format'] };
};

async function render(req: GenerationRequest, inputs: ImageInput[] = []) {
  const result = await previewEngine(req, inputs, ctx);
  assert.ok(result.ok, JSON.stringify(result));
  return result.outputs[0];
}

describe('preview engine', () => {
  test('style manga is black-and-white screentone with ink', async () => {
    const out = await render(request({ style: 'manga', aspect_ratio: '2:3' }));
    const { data, info } = await sharp(out.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 1696);
    let mono = 0;
    for (let i = 0; i < data.length; i += info.channels) {
      const [r, g, b] = [data[i], data[i + (info.channels > 2 ? 1 : 0)], data[i + (info.channels > 2 ? 2 : 0)]];
      if (r === g && g === b && (r === 0 || r === 255)) mono++;
    }
    assert.ok(mono / (data.length / info.channels) > 0.99, `only ${mono} pure black/white pixels`);
    const tones = await sharp(out.bytes).greyscale().stats();
    assert.ok(tones.channels[0].mean > 40 && tones.channels[0].mean < 215, 'both black and white are present');
  });

  test('image_edit keeps the source size and visibly changes it while keeping its structure', async () => {
    const source = await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 30, g: 90, b: 200 } } })
      .composite([{ input: Buffer.from('<svg width="320" height="200"><rect x="0" y="0" width="160" height="200" fill="#f0f0f0"/></svg>') }])
      .jpeg()
      .toBuffer();
    const out = await render(request({ type: 'image_edit', output_format: null, prompt: 'make it warmer' }), [await input('source', source)]);
    assert.equal(out.mediaType, 'image/jpeg', 'a JPEG source gives a JPEG when output_format is null');
    const edited = await sharp(out.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([edited.info.width, edited.info.height], [320, 200]);
    const px = (x: number, y: number) => Array.from(edited.data.subarray((y * 320 + x) * 3, (y * 320 + x) * 3 + 3));
    const original = await sharp(source).raw().toBuffer();
    const diff = Math.abs(px(240, 50)[0] - original[(50 * 320 + 240) * 3]) + Math.abs(px(240, 50)[2] - original[(50 * 320 + 240) * 3 + 2]);
    assert.ok(diff > 30, 'the colour grade changed the blue half');
    const lum = ([r, g, b]: number[]) => r + g + b;
    assert.ok(lum(px(60, 50)) > lum(px(240, 50)) + 100, 'the light half stays lighter: the structure survives');
  });

  test("a ref's real colour joins the palette", async () => {
    const red = await solidImage(200, 100, 'png', { r: 255, g: 0, b: 0 });
    const out = await render(request({ prompt: 'anything' }), [await input('image_ref', red)]);
    const { data } = await sharp(out.bytes).raw().toBuffer({ resolveWithObject: true });
    let reds = 0;
    for (let i = 0; i < data.length; i += 3) if (data[i] > 230 && data[i + 1] < 30 && data[i + 2] < 30) reds++;
    assert.ok(reds > 1000, `found ${reds} pure red pixels`);
  });

  test('a null aspect ratio: manga → 2:3, a ref → its nearest ratio, otherwise 16:9', async () => {
    const wide = await input('image_ref', await solidImage(300, 100));
    assert.equal(chooseAspectRatio(null, 'manga', [wide]), '2:3');
    assert.equal(chooseAspectRatio(null, 'auto', [wide]), '3:1');
    assert.equal(chooseAspectRatio(null, 'auto', []), '16:9');
    assert.equal(chooseAspectRatio('1:2', 'auto', [wide]), '1:2');
  });
});

describe('probeImage', () => {
  const limits = { maxPixels: 64_000_000, maxSide: 8000 };

  test('accepts JPEG, PNG, WebP and still GIF with their dimensions', async () => {
    for (const format of ['jpeg', 'png', 'webp', 'gif'] as const) {
      const result = await probeImage(await solidImage(37, 23, format), limits);
      assert.deepEqual(result, { ok: true, format, width: 37, height: 23 });
    }
  });

  test('refuses anything that is not an image', async () => {
    for (const bytes of [Buffer.from('<html><body>hi</body></html>'), Buffer.from('%PDF-1.7'), Buffer.alloc(0)]) {
      const result = await probeImage(bytes, limits);
      assert.deepEqual(result.ok ? null : result.failureCode, 'unsupported_format');
    }
  });

  test('a per-side limit is decided from the header alone', async () => {
    const tall = await solidImage(10, 9000, 'png');
    const result = await probeImage(tall, limits);
    assert.deepEqual(result.ok ? null : result.failureCode, 'image_too_large');
  });
});
