import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { headerSize } from '../../src/media/header-size.js';
import { checkImageFile } from '../../src/media/image.js';
import { sniffFormat } from '../../src/media/sniff.js';

const LIMITS = { maxPixels: 100_000_000, maxSide: 16_384 };

async function samples(): Promise<Array<[string, Buffer]>> {
  const rgb = () => sharp({ create: { width: 301, height: 157, channels: 3, background: { r: 10, g: 120, b: 200 } } });
  const rgba = () => sharp({ create: { width: 97, height: 403, channels: 4, background: { r: 10, g: 120, b: 200, alpha: 0.5 } } });
  return [
    ['png', await rgb().png().toBuffer()],
    ['png with alpha', await rgba().png().toBuffer()],
    ['baseline jpeg', await rgb().jpeg().toBuffer()],
    ['progressive jpeg', await rgb().jpeg({ progressive: true }).toBuffer()],
    ['lossy webp', await rgb().webp().toBuffer()],
    ['lossless webp', await rgb().webp({ lossless: true }).toBuffer()],
    ['webp with alpha (VP8X)', await rgba().webp().toBuffer()],
    ['gif', await rgb().gif().toBuffer()],
  ];
}

test("the header's own bytes give the same width and height as libvips for PNG, JPEG, WebP (VP8, VP8L, VP8X) and GIF", async () => {
  for (const [name, bytes] of await samples()) {
    const meta = await sharp(bytes).metadata();
    assert.deepEqual(headerSize(bytes, sniffFormat(bytes)!), { width: meta.width, height: meta.height }, name);
  }
});

test('a JPEG with EXIF is left to sharp, which reports its size as displayed; an output over the limits is refused either way', async () => {
  const rotated = await sharp({ create: { width: 300, height: 100, channels: 3, background: '#336699' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  assert.equal(headerSize(rotated, 'jpeg'), null);
  const checked = await checkImageFile(rotated, LIMITS);
  assert.deepEqual(checked.ok && [checked.width, checked.height], [100, 300]);
  const wide = await sharp({ create: { width: 2000, height: 10, channels: 3, background: '#000' } }).png().toBuffer();
  const refused = await checkImageFile(wide, { maxPixels: 100_000_000, maxSide: 1000 });
  assert.equal(!refused.ok && refused.failureCode, 'image_too_large');
  assert.equal(headerSize(Buffer.from('89504e470d0a1a0a', 'hex'), 'png'), null, 'a header cut short says nothing');
});
