import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

const long = (n: number) => 'x'.repeat(n);
const uuid = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
const VALID_RATIOS = '3:1, 2:1, 16:9, 3:2, 1:1, 2:3, 9:16, 1:2, 1:3';

/** [behaviour, body, status, detail] — each a rule of spec §3 and §8.3. */
const REJECTED: Array<[string, unknown, number, string]> = [
  ['a missing prompt', {}, 400, 'Prompt must be between 1 and 6000 characters'],
  ['an empty prompt', { prompt: '' }, 400, 'Prompt must be between 1 and 6000 characters'],
  ['a 6001-character prompt', { prompt: long(6001) }, 400, 'Prompt must be between 1 and 6000 characters'],
  ['a non-string prompt', { prompt: 42 }, 400, 'prompt: must be a string'],
  ['an unknown model', { prompt: 'p', model: 'uni-2' }, 400, 'Unknown model: uni-2'],
  ['a type the model lacks', { prompt: 'p', type: 'video' }, 400, "Type 'video' is not supported for model 'uni-1'"],
  ['an unknown type', { prompt: 'p', type: 'sketch' }, 400, "Type 'sketch' is not supported for model 'uni-1'"],
  ['ray-3.2 with the default type', { prompt: 'p', model: 'ray-3.2' }, 400, "Type 'image' is not supported for model 'ray-3.2'"],
  ['layering on uni-1-max', { prompt: 'p', model: 'uni-1-max', type: 'layering' }, 400, "Type 'layering' is not supported for model 'uni-1-max'"],
  ['a video-only ratio on image', { prompt: 'p', aspect_ratio: '4:3' }, 400, `Invalid aspect_ratio '4:3'. Valid: ${VALID_RATIOS}`],
  ['an unknown ratio', { prompt: 'p', aspect_ratio: '5:4' }, 400, `Invalid aspect_ratio '5:4'. Valid: ${VALID_RATIOS}`],
  ['manga on a landscape ratio', { prompt: 'p', style: 'manga', aspect_ratio: '16:9' }, 422, "style 'manga' requires a portrait aspect_ratio (2:3, 9:16, 1:2, 1:3), got '16:9'"],
  ['an unknown style', { prompt: 'p', style: 'anime' }, 400, 'style: must be one of: auto, manga'],
  ['an unknown output_format', { prompt: 'p', output_format: 'gif' }, 400, 'output_format: must be one of: png, jpeg'],
  ['a non-boolean web_search', { prompt: 'p', web_search: 'yes' }, 400, 'web_search: must be a boolean'],
  ['a 257-character user_id', { prompt: 'p', user_id: long(257) }, 400, 'user_id: must be at most 256 characters'],
  ['a source on type image', { prompt: 'p', source: { url: 'https://x/y.png' } }, 400, "source is only valid for type 'image_edit'"],
  ['image_edit without a source', { prompt: 'p', type: 'image_edit' }, 400, "source is required for type 'image_edit'"],
  ['ten refs on image', { prompt: 'p', image_ref: Array(10).fill({ url: 'https://x/y.png' }) }, 400, 'image supports up to 9 reference images'],
  [
    'nine refs on image_edit',
    { prompt: 'p', type: 'image_edit', source: { url: 'https://x/s.png' }, image_ref: Array(9).fill({ url: 'https://x/y.png' }) },
    400,
    'image_edit supports up to 8 reference images (source occupies one slot)',
  ],
  ['a ref with url and data', { prompt: 'p', image_ref: [{ url: 'https://x/y.png', data: 'AAAA', media_type: 'image/png' }] }, 400, "image_ref[0]: provide either 'url' or 'data', not both"],
  ['an empty ref', { prompt: 'p', image_ref: [{ url: 'https://x/y.png' }, {}] }, 400, "image_ref[1]: provide either 'url' or 'data', not neither"],
  ['a ref of nulls', { prompt: 'p', image_ref: [{ url: null, data: null }] }, 400, "image_ref[0]: provide either 'url' or 'data', not neither"],
  ['a url and a generation_id', { prompt: 'p', image_ref: [{ url: 'https://x/y.png', generation_id: uuid }] }, 400, "image_ref[0]: provide exactly one of 'url', 'data', 'generation_id' or 'file_id'"],
  ['data without media_type', { prompt: 'p', type: 'image_edit', source: { data: 'AAAA' } }, 400, "source: 'media_type' is required with 'data'"],
  ['a non-image media_type', { prompt: 'p', image_ref: [{ data: 'AAAA', media_type: 'application/pdf' }] }, 400, "image_ref[0]: media_type 'application/pdf' is not an image type"],
  ['a non-UUID generation_id', { prompt: 'p', type: 'image_edit', source: { generation_id: 'abc' } }, 400, 'source.generation_id: must be a UUID'],
  ['video options on an image', { prompt: 'p', video: { duration: '5s' } }, 400, "video is not valid for type 'image'"],
  ['layering options on an image', { prompt: 'p', layering: { resolution: '1k' } }, 400, "layering is not valid for type 'image'"],
  ['a non-object image_ref', { prompt: 'p', image_ref: 'https://x/y.png' }, 400, 'image_ref: must be an array'],
  ['a JSON array body', [], 400, 'Request body must be a JSON object'],
  ['a JSON string body', '"hello"', 400, 'Request body must be a JSON object'],
  ['invalid base64', { prompt: 'p', image_ref: [{ data: 'not base64!', media_type: 'image/png' }] }, 422, 'image_ref[0]: invalid base64 data'],
  ['an unknown chained generation', { prompt: 'p', type: 'image_edit', source: { generation_id: uuid } }, 422, `source: generation ${uuid} not found`],
  ['a file_id no file matches', { prompt: 'p', image_ref: [{ file_id: uuid }] }, 422, `image_ref[0]: file ${uuid} not found`],
  ['a relative url', { prompt: 'p', image_ref: [{ url: '/y.png' }] }, 422, 'image_ref[0]: url must be an absolute http(s) URL'],
];

describe('POST /v1/generations validation', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '0' });
  });
  after(() => ts.close());

  for (const [behaviour, body, status, detail] of REJECTED) {
    test(`${behaviour} is a ${status} with the spec's detail`, async () => {
      const res = await ts.call('POST', '/v1/generations', { body });
      assert.equal(res.status, status);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await res.json(), { detail });
      assert.equal(res.headers.get('x-ratelimit-limit'), null);
    });
  }

  test('a minimal body gets the defaults and a queued Generation', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'An astronaut riding a horse' } });
    assert.equal(res.status, 201);
    const body = await res.json();
    // UUIDv7: time-ordered, so ids made later sort later.
    assert.match(body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // `queue` is an extension field (docs/extensions.md; absent with --strict).
    assert.deepEqual(
      { ...body, id: 'x', created_at: 'x', queue: undefined },
      { id: 'x', created_at: 'x', type: 'image', state: 'queued', model: 'uni-1', output: [], failure_reason: null, failure_code: null, queue: undefined },
    );
  });

  test('accepted neighbours of the rejected cases', async () => {
    const accepted = [
      { prompt: long(6000) },
      { prompt: 'p', model: 'uni-1-max', aspect_ratio: '1:3', output_format: 'jpeg', web_search: true, user_id: long(256) },
      { prompt: 'p', style: 'manga', aspect_ratio: '9:16' },
      { prompt: 'p', style: 'manga' },
      { prompt: 'p', aspect_ratio: null, output_format: null, style: null, source: null, video: null, image_ref: null },
      { prompt: 'p', image_ref: Array(9).fill({ data: 'iVBORw0KGgo=', media_type: 'image/png' }) },
      { prompt: 'p', unknown_field: 'ignored' },
    ];
    for (const body of accepted) {
      const res = await ts.call('POST', '/v1/generations', { body });
      assert.equal(res.status, 201, `${JSON.stringify(body).slice(0, 80)} → ${await res.text()}`);
    }
  });

  test('image_edit ignores aspect_ratio, even one image types refuse', async () => {
    const body = { prompt: 'p', type: 'image_edit', aspect_ratio: '4:3', source: { data: 'iVBORw0KGgo=', media_type: 'image/png' } };
    const res = await ts.call('POST', '/v1/generations', { body });
    assert.equal(res.status, 201);
    assert.equal((await res.json()).type, 'image_edit');
  });

  test('decoded data over 50 MB is a 413 before any decoding', async () => {
    const data = 'A'.repeat(Math.ceil((50 * 1024 * 1024 + 1) / 3) * 4);
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', image_ref: [{ data, media_type: 'image/png' }] } });
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { detail: 'image_ref[0]: image exceeds 50 MB limit' });
  });
});
