import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeImage } from '../../src/media/image.js';

// A 12×10 PNG whose IDAT the fuzz test damaged: its header reads fine, its pixels don't.
const DAMAGED = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAwAAAAKCAIAAAAPTiitAAAACXBIWXMAAAMHAAAD6AG1e1JrAAAAFUlEQVR4nGM4oaFBEDGMKmKgNBAlACtDg0Fy3eTGAAAAAElFTkSuQmCC',
  'base64',
);

test('a damaged PNG is corrupt_input every time, also when probed many times at once', async () => {
  const results = await Promise.all(Array.from({ length: 24 }, () => probeImage(DAMAGED, { maxPixels: 64_000_000, maxSide: 8000 })));
  assert.deepEqual(new Set(results.map((r) => (r.ok ? 'ok' : r.failureCode))), new Set(['corrupt_input']));
});
