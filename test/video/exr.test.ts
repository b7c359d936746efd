import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeExr } from '../../src/media/exr.js';
import { toHalf } from '../../src/media/half-float.js';
import { exrThroughFfmpeg, readExr } from '../helpers/exr.js';

test('half-float conversion: exact values, rounding, overflow, subnormals', () => {
  const cases: Array<[number, number]> = [
    [0, 0x0000], [1, 0x3c00], [0.5, 0x3800], [-2, 0xc000], [65504, 0x7bff], [1e6, 0x7c00],
    [2 ** -24, 0x0001], [2 ** -14, 0x0400], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [1e-9, 0x0000],
  ];
  for (const [value, bits] of cases) assert.equal(toHalf(value), bits, `${value}`);
});

test('an EXR written here reads back with an independent reader: size, channels, values above 1 and rows in order', async () => {
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
  const exr = readExr(bytes);
  assert.deepEqual([exr.width, exr.height, exr.compression], [width, height, 'NO_COMPRESSION']);
  assert.deepEqual(exr.channels, [{ name: 'B', pixelType: 1 }, { name: 'G', pixelType: 1 }, { name: 'R', pixelType: 1 }]);
  assert.ok(Math.abs(exr.chromaticities.whiteX - 0.32168) < 1e-5, 'ACES white point');
  const { R, G, B } = exr.planes;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * width + x;
      assert.deepEqual([R[at], G[at], B[at]], [x / 2, y * 0.25, 0.125], `pixel ${x},${y}`);
    }
  }

  // ffmpeg's EXR decoder reads the same file; the npm build gives 16-bit integers, so it sees values above 1 as 1.
  const decoded = await exrThroughFfmpeg(bytes);
  assert.deepEqual([decoded.width, decoded.height, decoded.channels], [width, height, 3]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      const got = [...decoded.rgb.subarray(at, at + 3)].map((v) => Math.round(v * 1000) / 1000);
      assert.deepEqual(got, [Math.min(x / 2, 1), y * 0.25, 0.125], `ffmpeg pixel ${x},${y}`);
    }
  }
});
