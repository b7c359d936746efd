import assert from 'node:assert/strict';
import { test } from 'node:test';
import parseExr from 'parse-exr';
import { encodeExr } from '../../src/media/exr.js';
import { toHalf } from '../../src/media/half-float.js';

test('half-float conversion: exact values, rounding, overflow, subnormals', () => {
  const cases: Array<[number, number]> = [
    [0, 0x0000], [1, 0x3c00], [0.5, 0x3800], [-2, 0xc000], [65504, 0x7bff], [1e6, 0x7c00],
    [2 ** -24, 0x0001], [2 ** -14, 0x0400], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [1e-9, 0x0000],
  ];
  for (const [value, bits] of cases) assert.equal(toHalf(value), bits, `${value}`);
});

test('an EXR written here reads back with parse-exr: size, channels, values above 1 and rows in order', () => {
  const width = 7;
  const height = 3;
  const rgb = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      rgb[i] = x / 2; // up to 3.0: HDR values survive
      rgb[i + 1] = y * 0.25;
      rgb[i + 2] = 0.125;
    }
  }
  const bytes = encodeExr({ width, height, rgb });
  const exr = parseExr(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer, 1015);
  assert.deepEqual([exr.width, exr.height], [width, height]);
  const header = exr.header as { channels: Array<{ name: string; pixelType: number }>; chromaticities: Record<string, number> };
  assert.deepEqual(header.channels.map((c) => c.name), ['B', 'G', 'R']);
  assert.ok(Math.abs(header.chromaticities.whiteX - 0.32168) < 1e-5, 'ACES white point');
  // parse-exr (three.js) returns rows bottom-up, RGBA.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = ((height - 1 - y) * width + x) * 4;
      assert.deepEqual([exr.data[at], exr.data[at + 1], exr.data[at + 2]], [x / 2, y * 0.25, 0.125], `pixel ${x},${y}`);
    }
  }
});
