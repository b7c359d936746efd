import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { declaredFormat } from '../../src/media/media-type.js';
import { sniffFormat } from '../../src/media/sniff.js';
import { trailingBytes } from '../../src/media/trailing-data.js';

const image = (format: 'png' | 'jpeg' | 'webp' | 'gif') =>
  sharp({ create: { width: 24, height: 16, channels: 3, background: '#3a7' } }).toFormat(format).toBuffer();

describe('polyglot detection', () => {
  test('a clean image of each format has nothing after its end', async () => {
    for (const format of ['png', 'jpeg', 'webp', 'gif'] as const) {
      assert.equal(trailingBytes(await image(format), format), 0, format);
    }
  });

  test('counts what is appended after the end of each format', async () => {
    const payload = Buffer.from('PK\u0003\u0004<script>alert(1)</script>');
    for (const format of ['png', 'jpeg', 'webp', 'gif'] as const) {
      assert.equal(trailingBytes(Buffer.concat([await image(format), payload]), format), payload.length, format);
    }
  });

  test('a payload that ends like the image itself (GIF `;`, JPEG EOI) is still counted', async () => {
    const gifTail = Buffer.from('alert(1);');
    assert.equal(trailingBytes(Buffer.concat([await image('gif'), gifTail]), 'gif'), gifTail.length);
    const jpegTail = Buffer.concat([Buffer.from('<script>alert(1)</script>'), Buffer.from([0xff, 0xd9])]);
    assert.equal(trailingBytes(Buffer.concat([await image('jpeg'), jpegTail]), 'jpeg'), jpegTail.length);
  });

  test('progressive JPEGs and JPEGs with an EXIF thumbnail end where their image ends', async () => {
    const progressive = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a53' } }).jpeg({ progressive: true }).toBuffer();
    assert.equal(trailingBytes(progressive, 'jpeg'), 0);
    const withExif = await sharp(await image('jpeg')).withMetadata({ exif: { IFD0: { Copyright: 'Atelier' } } }).jpeg().toBuffer();
    assert.equal(trailingBytes(withExif, 'jpeg'), 0);
    // MPF (a phone photo's gain or depth map): further whole JPEG images after the first.
    assert.equal(trailingBytes(Buffer.concat([withExif, progressive]), 'jpeg'), 0);
  });

  test('zero padding after a JPEG is tolerated', async () => {
    assert.equal(trailingBytes(Buffer.concat([await image('jpeg'), Buffer.alloc(32)]), 'jpeg'), 0);
  });

  test('a file cut short has no end to measure from', async () => {
    const png = await image('png');
    assert.equal(trailingBytes(png.subarray(0, png.length - 12), 'png'), null);
  });
});

describe('declared media types', () => {
  test('name the format, aliases and parameters included', () => {
    assert.equal(declaredFormat('image/JPG'), 'jpeg');
    assert.equal(declaredFormat('image/png; charset=binary'), 'png');
    assert.equal(declaredFormat('image/webp'), 'webp');
    assert.equal(declaredFormat('image/tiff'), null);
  });

  test('sniffing ignores what the bytes claim to be beyond the magic', async () => {
    assert.equal(sniffFormat(await image('webp')), 'webp');
    assert.equal(sniffFormat(Buffer.from('GIF89')), null);
  });
});
