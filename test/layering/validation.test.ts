import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ConfigError, loadConfig } from '../../src/config.js';
import { KEY_B, startTestServer, type TestServer } from '../helpers/server.js';

const long = (n: number) => 'x'.repeat(n);
const source = { url: 'https://x/y.png' };

/** [behaviour, body, status, detail]: spec §3.6 and the choices in docs/compatibility.md. */
const REJECTED: Array<[string, unknown, number, string]> = [
  ['layering without a source', { prompt: 'p', type: 'layering' }, 400, "source is required for type 'layering'"],
  ['layering with a null source', { prompt: 'p', type: 'layering', source: null }, 400, "source is required for type 'layering'"],
  ['a 501-character layering prompt', { prompt: long(501), type: 'layering', source }, 400, "Prompt must be at most 500 characters for type 'layering'"],
  ['a 6001-character layering prompt', { prompt: long(6001), type: 'layering', source }, 400, 'Prompt must be between 1 and 6000 characters'],
  ['a missing prompt on layering', { type: 'layering', source }, 400, 'Prompt must be between 1 and 6000 characters'],
  ['resolution 4k', { prompt: 'p', type: 'layering', source, layering: { resolution: '4k' } }, 400, "Invalid layering.resolution '4k'. Valid: 1k, 2k"],
  ['resolution 2K in capitals', { prompt: 'p', type: 'layering', source, layering: { resolution: '2K' } }, 400, "Invalid layering.resolution '2K'. Valid: 1k, 2k"],
  ['a numeric resolution', { prompt: 'p', type: 'layering', source, layering: { resolution: 2 } }, 400, 'layering.resolution: must be a string'],
  ['layering options that are not an object', { prompt: 'p', type: 'layering', source, layering: '2k' }, 400, 'layering: must be an object'],
  ['layering on uni-1-max', { prompt: 'p', model: 'uni-1-max', type: 'layering', source }, 400, "Type 'layering' is not supported for model 'uni-1-max'"],
  ['layering on ray-3.2', { prompt: 'p', model: 'ray-3.2', type: 'layering', source }, 400, "Type 'layering' is not supported for model 'ray-3.2'"],
  ['layering options on image_edit', { prompt: 'p', type: 'image_edit', source, layering: { resolution: '1k' } }, 400, "layering is not valid for type 'image_edit'"],
  ['video options on layering', { prompt: 'p', type: 'layering', source, video: { duration: '5s' } }, 400, "video is not valid for type 'layering'"],
  ['image_ref on layering', { prompt: 'p', type: 'layering', source, image_ref: [source] }, 400, "image_ref is not valid for type 'layering'"],
  ['a source with url and data', { prompt: 'p', type: 'layering', source: { url: 'https://x/y.png', data: 'AAAA', media_type: 'image/png' } }, 400, "source: provide either 'url' or 'data', not both"],
  ['a source with neither', { prompt: 'p', type: 'layering', source: {} }, 400, "source: provide either 'url' or 'data', not neither"],
  ['an empty prompt on image still', { prompt: '' }, 400, 'Prompt must be between 1 and 6000 characters'],
];

describe('POST /v1/generations with type layering: validation', () => {
  let ts: TestServer;
  let png: string;
  before(async () => {
    ts = await startTestServer({ workers: '0', credits: '0.05' });
    png = (await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c83c3c' } }).png().toBuffer()).toString('base64');
  });
  after(() => ts.close());

  for (const [behaviour, body, status, detail] of REJECTED) {
    test(`${behaviour} is a ${status} with its detail`, async () => {
      const res = await ts.call('POST', '/v1/generations', { body });
      assert.equal(res.status, status);
      assert.deepEqual(await res.json(), { detail });
    });
  }

  test('the prompt is optional guidance: empty and 500 characters are accepted; null options mean the defaults', async () => {
    const src = { data: png, media_type: 'image/png' };
    // Each seeded client holds $0.05, room for one 1k layering ($0.0434): one request per key.
    const first = await ts.call('POST', '/v1/generations', { body: { prompt: '', type: 'layering', source: src, layering: null } });
    assert.equal(first.status, 201, await first.clone().text());
    const body = await first.json();
    assert.equal(body.type, 'layering');
    assert.equal(body.model, 'uni-1');
    assert.deepEqual(body.output, []);
    const second = await ts.call('POST', '/v1/generations', {
      key: KEY_B,
      body: { prompt: long(500), type: 'layering', source: src, layering: { resolution: null }, aspect_ratio: '4:3', style: 'manga' },
    });
    assert.equal(second.status, 201, await second.clone().text());
  });
});

describe('layering prices', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '0', credits: '0.09' });
  });
  after(() => ts.close());

  test('1k costs $0.0434 and 2k $0.0868, held at submit: a $0.09 balance takes one 2k, then refuses a 1k', async () => {
    const png = (await sharp({ create: { width: 8, height: 8, channels: 3, background: '#3c64c8' } }).png().toBuffer()).toString('base64');
    const body = (resolution: string) => ({ prompt: 'p', type: 'layering', source: { data: png, media_type: 'image/png' }, layering: { resolution } });
    assert.equal((await ts.call('POST', '/v1/generations', { body: body('2k') })).status, 201);
    const refused = await ts.call('POST', '/v1/generations', { body: body('1k') });
    assert.equal(refused.status, 402);
    assert.deepEqual(await refused.json(), { detail: 'Insufficient credits. Please add credits to continue.' });
  });
});

test('ATELIER_LAYERING_MODEL picks the segmentation model: medium by default, small on request, nothing else', () => {
  assert.equal(loadConfig({}, {}).layeringModel, 'medium');
  assert.equal(loadConfig({}, { ATELIER_LAYERING_MODEL: 'small' }).layeringModel, 'small');
  assert.throws(() => loadConfig({}, { ATELIER_LAYERING_MODEL: 'large' }), ConfigError);
});
