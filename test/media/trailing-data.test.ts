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
