import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillHoles, grow } from '../../src/media/inpaint.js';

/** Left half one colour, right half another, as interleaved RGB. */
function halves(width: number, height: number, left: number[], right: number[]): Buffer {
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.set(i % width < width / 2 ? left : right, 3 * i);
  return rgb;
}

const pixel = (rgb: Buffer, width: number, x: number, y: number) => [...rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];

test('a hole is filled from the colour around it, and every pixel outside it is left alone', async () => {
  const [width, height] = [240, 120];
  const rgb = halves(width, height, [200, 40, 40], [40, 60, 200]);
  // A red blob inside the left half's hole must not leak into the fill.
  const hole = new Uint8Array(width * height);
  for (let y = 40; y < 80; y++) for (let x = 20; x < 70; x++) hole[y * width + x] = 1;
  for (let y = 40; y < 80; y++) for (let x = 20; x < 70; x++) rgb.set([0, 255, 0], (y * width + x) * 3);

  const filled = await fillHoles(rgb, width, height, hole);
  for (const [x, y] of [[45, 60], [21, 41], [68, 78]]) {
    const [r, g, b] = pixel(filled, width, x, y);
    assert.ok(Math.abs(r - 200) <= 3 && Math.abs(g - 40) <= 3 && Math.abs(b - 40) <= 3, `fill at ${x},${y}: ${r},${g},${b}`);
  }
  for (let i = 0; i < width * height; i++) {
    if (hole[i]) continue;
    assert.deepEqual([...filled.subarray(3 * i, 3 * i + 3)], [...rgb.subarray(3 * i, 3 * i + 3)], `pixel ${i} changed`);
  }
});

test('a hole across an edge blends the two sides near the edge and keeps each side away from it', async () => {
  const [width, height] = [240, 120];
  const rgb = halves(width, height, [200, 40, 40], [40, 60, 200]);
  const hole = new Uint8Array(width * height);
  for (let y = 30; y < 90; y++) for (let x = 60; x < 180; x++) hole[y * width + x] = 1;
  const filled = await fillHoles(rgb, width, height, hole);
  const [lr, , lb] = pixel(filled, width, 62, 60);
  const [rr, , rb] = pixel(filled, width, 177, 60);
  assert.ok(lr > 150 && lb < 90, `left side of the fill ${lr},${lb}`);
  assert.ok(rb > 150 && rr < 90, `right side of the fill ${rr},${rb}`);
});

test('an image that is all hole is filled, not left black', async () => {
  const filled = await fillHoles(Buffer.alloc(16 * 8 * 3), 16, 8, new Uint8Array(16 * 8).fill(1));
  assert.deepEqual(pixel(filled, 16, 3, 3), [128, 128, 128]);
});

test('grow widens a mask by the radius in every direction and no further', () => {
  const [width, height] = [9, 9];
  const mask = new Uint8Array(width * height);
  mask[4 * width + 4] = 1;
  const grown = grow(mask, width, height, 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) assert.equal(grown[y * width + x], Math.abs(x - 4) <= 2 && Math.abs(y - 4) <= 2 ? 1 : 0, `${x},${y}`);
  }
});
