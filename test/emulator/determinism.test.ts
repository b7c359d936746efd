import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { solidImage } from '../helpers/images.js';
import { download, generate, startTestServer } from '../helpers/server.js';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function bodies() {
  const source = (await solidImage(320, 200, 'jpeg', { r: 30, g: 90, b: 160 })).toString('base64');
  const ref = (await solidImage(64, 64, 'png', { r: 220, g: 180, b: 20 })).toString('base64');
  return [
    { prompt: 'A paper boat on a puddle' },
    { prompt: 'Ink portrait of a cat', style: 'manga', aspect_ratio: '2:3', output_format: 'jpeg' },
    { prompt: 'Make it dusk', type: 'image_edit', source: { data: source, media_type: 'image/jpeg' } },
    { prompt: 'A poster in these colours', aspect_ratio: '1:3', image_ref: [{ data: ref, media_type: 'image/png' }] },
  ];
}

/** The output bytes' hashes for each body, from a fresh server on a fresh data dir. */
async function outputsOfAFreshServer(requests: unknown[]): Promise<string[]> {
  const ts = await startTestServer({ workers: '2' });
  try {
    const hashes = [];
    for (const body of requests) {
      const done = await generate(ts, body);
      assert.equal(done.state, 'completed', JSON.stringify(done));
      hashes.push(sha(await download(done.output[0].url)));
    }
    const repeat = await generate(ts, requests[0]);
    assert.equal(sha(await download(repeat.output[0].url)), hashes[0], 'the same body twice on one server');
    return hashes;
  } finally {
    await ts.close();
  }
}

test('the same request body gives byte-identical outputs across restarts and data dirs', { timeout: 180_000 }, async () => {
  const requests = await bodies();
  const first = await outputsOfAFreshServer(requests);
  const second = await outputsOfAFreshServer(requests);
  assert.deepEqual(second, first);
  assert.equal(new Set(first).size, requests.length, 'different bodies give different outputs');
});
