import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decompose } from '../../src/engines/layering/decompose.js';
import { describeLayers } from '../../src/engines/layering/describe.js';

const [W, H] = [96, 64];

/** A blue backdrop with a horizontal gradient, and the mask of a square whose edge fades over a few pixels. */
function scene(edge: number): { source: Buffer; mask: Buffer } {
  const source = Buffer.alloc(W * H * 3);
  const mask = Buffer.alloc(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      // Distance inside the square 30..66 × 16..48; the alpha ramps from 0 to 255 over `edge` pixels.
      const inside = Math.min(x - 30, 65 - x, y - 16, 47 - y);
      const a = inside < 0 ? 0 : edge === 0 ? 255 : Math.min(255, Math.round(((inside + 1) / edge) * 255));
      mask[i] = a;
      const back = [40, 60 + x, 200];
      const front = [230, 200, 40];
      for (let c = 0; c < 3; c++) source[3 * i + c] = Math.round((a / 255) * front[c] + (1 - a / 255) * back[c]);
    }
  }
  return { source, mask };
}

function composite(parts: Awaited<ReturnType<typeof decompose>>): Buffer {
  const out = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const a = parts.foreground[4 * i + 3] / 255;
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round(a * parts.foreground[4 * i + c] + (1 - a) * parts.background[3 * i + c]);
  }
  return out;
}

test('the two layers composite back to the source, soft edges included, and the subject loses the backdrop tint', async () => {
  const { source, mask } = scene(6);
  const parts = await decompose(source, mask, W, H);
  const back = composite(parts);
  let worst = 0;
  for (let i = 0; i < back.length; i++) worst = Math.max(worst, Math.abs(back[i] - source[i]));
  assert.ok(worst <= 3, `worst channel error ${worst}`);
  // On the soft edge the subject's own colour is recovered: yellow, not the blue it was mixed with.
  const edge = (16 + 1) * W + 48; // second row of the square: alpha about 2/6
  assert.ok(parts.foreground[4 * edge + 3] > 50 && parts.foreground[4 * edge + 3] < 150);
  assert.ok(parts.foreground[4 * edge + 2] < 90, `blue on the edge: ${parts.foreground[4 * edge + 2]}`);
  assert.deepEqual(parts.bounds, { x: 30, y: 16, width: 36, height: 32 });
  assert.ok(parts.softness > 0.1);
  assert.equal(describeLayers(parts)[0].alpha_hint, 'soft');
});

test('a hard-edged subject is described as hard, with its box, share of the frame and colour', async () => {
  const { source, mask } = scene(0);
  const parts = await decompose(source, mask, W, H);
  const [subject, background] = describeLayers(parts);
  assert.deepEqual(
    { ...subject, description: undefined },
    { index: 0, label: 'subject', alpha_hint: 'hard', bounds: { x: 30, y: 16, width: 36, height: 32 }, description: undefined },
  );
  assert.equal(subject.description, 'The main subject, cut out along a hard edge: 19% of the frame, 36×32 px at (30, 16), mostly #e6c828.');
  assert.deepEqual({ ...background, description: undefined }, { index: 1, label: 'background', alpha_hint: 'none', bounds: { x: 0, y: 0, width: W, height: H }, description: undefined });
  // Where the square was, the background is the backdrop's blue, not the square's yellow.
  const centre = 32 * W + 48;
  const [r, , b] = parts.background.subarray(3 * centre, 3 * centre + 3);
  assert.ok(b > 150 && r < 90, `fill ${r},${b}`);
});

test('with no subject the foreground is empty and the background is the source', async () => {
  const { source } = scene(0);
  const noise = Buffer.alloc(W * H, 5); // under the noise floor
  const parts = await decompose(source, noise, W, H);
  assert.ok(parts.foreground.every((v, i) => i % 4 !== 3 || v === 0));
  assert.deepEqual(parts.background, source);
  const [subject] = describeLayers(parts);
  assert.deepEqual(subject.bounds, { x: 0, y: 0, width: 0, height: 0 });
  assert.match(subject.description, /No distinct subject/);
});
