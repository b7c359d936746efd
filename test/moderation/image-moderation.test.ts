import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { download, generate, KEY_A, startTestServer, type TestServer } from '../helpers/server.js';
import { imageInfo, solidImage } from '../helpers/images.js';
import { moderationCount } from './metrics.js';

const REASON = 'Generation output was flagged by our content moderation system.';

async function editBody() {
  const source = await solidImage(320, 240, 'jpeg', { r: 40, g: 140, b: 90 });
  const ref = await solidImage(128, 128, 'png', { r: 220, g: 200, b: 60 });
  return {
    prompt: 'make it look like autumn',
    type: 'image_edit',
    source: { data: source.toString('base64'), media_type: 'image/jpeg' },
    image_ref: [{ data: ref.toString('base64'), media_type: 'image/png' }],
  };
}

describe('image moderation with --moderation full and the default thresholds', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '1', moderation: 'full' });
  });
  after(() => ts.close());

  test('a normal generated image is classified and passes', async () => {
    const done = await generate(ts, { prompt: 'A glass of iced coffee on a marble countertop', aspect_ratio: '1:1' });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.equal((await imageInfo(await download(done.output[0].url))).width, 2048);
    assert.ok(fs.existsSync(path.join(ts.dataDir, 'blobs', 'generations', done.id)), 'outputs are stored under blobs/generations/<id>');
    assert.equal(await moderationCount(ts, 'output', 'allowed'), 1);
    assert.equal(await moderationCount(ts, 'input', 'allowed'), 0);
  });

  test('every input (source and each image_ref) and the output are classified', async () => {
    const inputs = await moderationCount(ts, 'input', 'allowed');
    const outputs = await moderationCount(ts, 'output', 'allowed');
    const done = await generate(ts, await editBody());
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.deepEqual(await imageInfo(await download(done.output[0].url)), { format: 'jpeg', width: 320, height: 240 });
    assert.equal(await moderationCount(ts, 'input', 'allowed'), inputs + 2);
    assert.equal(await moderationCount(ts, 'output', 'allowed'), outputs + 1);
    assert.equal(await moderationCount(ts, 'input', 'flagged') + (await moderationCount(ts, 'output', 'flagged')), 0);
  });
});

// No explicit imagery ships with the tests: a threshold of 0 on `Neutral` makes every image
// reach it, which trips the same decision a real Porn/Hentai score does.
describe('image moderation with a threshold every image reaches (Neutral:0)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '1', moderation: 'full', moderationImageThresholds: 'Neutral:0' });
  });
  after(() => ts.close());

  test('a flagged input fails the generation before the engine runs', async () => {
    const done = await generate(ts, await editBody());
    assert.equal(done.state, 'failed');
    assert.equal(done.failure_code, 'content_moderated');
    assert.equal(done.failure_reason, REASON);
    assert.deepEqual(done.output, []);
    assert.equal(await moderationCount(ts, 'input', 'flagged'), 1, 'stops at the first flagged input');
    assert.equal(await moderationCount(ts, 'output', 'allowed') + (await moderationCount(ts, 'output', 'flagged')), 0);
  });

  test('a flagged output fails the generation and is never stored', async () => {
    const done = await generate(ts, { prompt: 'A lighthouse at dusk' });
    assert.equal(done.state, 'failed');
    assert.equal(done.failure_code, 'content_moderated');
    assert.equal(done.failure_reason, REASON);
    assert.deepEqual(done.output, []);
    assert.equal(await moderationCount(ts, 'output', 'flagged'), 1);
    assert.equal(fs.existsSync(path.join(ts.dataDir, 'blobs', 'generations', done.id)), false);
  });
});

describe('uploaded files are moderated in full mode', () => {
  test('a flagged upload ends failed and cannot be referenced', async () => {
    const ts = await startTestServer({ workers: '1', moderation: 'full', moderationImageThresholds: 'Neutral:0' });
    try {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(await solidImage(64, 64))], { type: 'image/png' }), 'a.png');
      const created = await (await fetch(`${ts.url}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${KEY_A}` }, body: form })).json();
      let file = created.file;
      while (file.state === 'pending') file = await (await ts.call('GET', `/v1/files/${created.id}`)).json();
      assert.equal(file.state, 'failed');
      assert.match(file.failure_reason, /content moderation/);
      assert.equal(await moderationCount(ts, 'file', 'flagged'), 1);
      const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'x', type: 'image_edit', source: { file_id: created.id } } });
      assert.equal(res.status, 422);
    } finally {
      await ts.close();
    }
  });
});

describe('prompt mode does not classify images', () => {
  test('inputs and outputs pass unclassified even with a threshold every image reaches', async () => {
    const ts = await startTestServer({ workers: '1', moderation: 'prompt', moderationImageThresholds: 'Neutral:0' });
    try {
      const done = await generate(ts, await editBody());
      assert.equal(done.state, 'completed', JSON.stringify(done));
      for (const stage of ['input', 'output']) {
        assert.equal(await moderationCount(ts, stage, 'allowed') + (await moderationCount(ts, stage, 'flagged')), 0, stage);
      }
    } finally {
      await ts.close();
    }
  });
});
