import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ledger } from '../../src/store/index.js';
import { solidImage } from '../helpers/images.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClip } from '../helpers/video.js';

const uuid = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
const VIDEO_RATIOS = '21:9, 16:9, 4:3, 1:1, 3:4, 9:16';
const img = { url: 'https://example.test/a.png' };
const src = { url: 'https://example.test/a.mp4', media_type: 'video/mp4' };
const v = (video: unknown, extra: object = {}) => ({ prompt: 'p', model: 'ray-3.2', type: 'video', ...extra, video });
const edit = (video: object, extra: object = {}) => ({ prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: src, ...extra, video });
const reframe = (video: object, extra: object = {}) => ({ prompt: 'p', model: 'ray-3.2', type: 'video_reframe', source: src, aspect_ratio: '9:16', ...extra, video });
const kf = (n: number) => Array.from({ length: n }, () => img);

/** [behaviour, body, status, detail]: spec §3.3–3.5 and the §3.8 matrix. */
const REJECTED: Array<[string, unknown, number, string]> = [
  ['video on uni-1', { prompt: 'p', type: 'video' }, 400, "Type 'video' is not supported for model 'uni-1'"],
  ['video_reframe on uni-1-max', { prompt: 'p', model: 'uni-1-max', type: 'video_reframe' }, 400, "Type 'video_reframe' is not supported for model 'uni-1-max'"],
  ['image_edit on ray-3.2', { prompt: 'p', model: 'ray-3.2', type: 'image_edit' }, 400, "Type 'image_edit' is not supported for model 'ray-3.2'"],
  ['an image-only ratio on video', v({}, { aspect_ratio: '3:2' }), 400, `Invalid aspect_ratio '3:2'. Valid: ${VIDEO_RATIOS}`],
  ['an unknown ratio on video', v({}, { aspect_ratio: '5:4' }), 400, `Invalid aspect_ratio '5:4'. Valid: ${VIDEO_RATIOS}`],
  ['a source on video', v({}, { source: img }), 400, "source is not valid for type 'video'"],
  ['image_ref on video', v({}, { image_ref: [img] }), 400, "image_ref is not valid for type 'video'"],
  ['layering options on video', v({}, { layering: { resolution: '1k' } }), 400, "layering is not valid for type 'video'"],
  ['video.edit on video', v({ edit: { strength: 'flex_1' } }), 400, "video.edit is not valid for type 'video'"],
  ['source_position on video', v({ source_position: { x_norm: 0, y_norm: 0, w_norm: 1, h_norm: 1 } }), 400, "video.source_position is not valid for type 'video'"],
  ['an unknown resolution', v({ resolution: '4k' }), 400, 'video.resolution: must be one of: 360p, 540p, 720p, 1080p'],
  ['an unknown duration', v({ duration: '7s' }), 400, 'video.duration: must be one of: 5s, 10s'],
  ['a non-boolean loop', v({ loop: 'yes' }), 400, 'video.loop: must be a boolean'],
  ['a non-object video', v('fast'), 400, 'video: must be an object'],
  ['a start_frame with url and data', v({ start_frame: { url: 'https://x/y.png', data: 'AAAA', media_type: 'image/png' } }), 400, "video.start_frame: provide either 'url' or 'data', not both"],
  ['a keyframe with a video media_type', v({ keyframes: [{ data: 'AAAA', media_type: 'video/mp4' }], keyframe_indexes: [0] }), 400, "video.keyframes[0]: media_type 'video/mp4' is not an image type"],
  ['10s with start_frame', v({ duration: '10s', start_frame: img }), 422, "duration '10s' is not available with video.start_frame or video.end_frame"],
  ['10s with end_frame', v({ duration: '10s', end_frame: img }), 422, "duration '10s' is not available with video.start_frame or video.end_frame"],
  ['loop with 10s', v({ loop: true, duration: '10s' }), 422, "video.loop is not available with duration '10s'"],
  ['loop with hdr', v({ loop: true, hdr: true }), 422, 'video.loop is not available with video.hdr'],
  ['loop with end_frame', v({ loop: true, end_frame: img }), 422, 'video.loop is not available with video.end_frame'],
  ['keyframes with start_frame', v({ keyframes: kf(1), keyframe_indexes: [0], start_frame: img }), 422, 'video.keyframes cannot be combined with video.start_frame'],
  ['keyframes with end_frame', v({ keyframes: kf(1), keyframe_indexes: [0], end_frame: img }), 422, 'video.keyframes cannot be combined with video.end_frame'],
  ['keyframes with loop', v({ keyframes: kf(1), keyframe_indexes: [0], loop: true }), 422, 'video.keyframes cannot be combined with video.loop'],
  ['hdr at 360p', v({ hdr: true, resolution: '360p' }), 422, "video.hdr requires resolution 720p or 1080p, got '360p'"],
  ['hdr at 540p', v({ hdr: true, resolution: '540p' }), 422, "video.hdr requires resolution 720p or 1080p, got '540p'"],
  ['hdr with 10s and no keyframes', v({ hdr: true, duration: '10s' }), 422, "video.hdr with duration '10s' is only available with video.keyframes"],
  ['exr_export without hdr', v({ exr_export: true }), 422, 'video.exr_export requires video.hdr'],
  ['keyframes without indexes', v({ keyframes: kf(2) }), 422, 'video.keyframes and video.keyframe_indexes must be given together'],
  ['indexes without keyframes', v({ keyframe_indexes: [0] }), 422, 'video.keyframes and video.keyframe_indexes must be given together'],
  ['fewer indexes than keyframes', v({ keyframes: kf(2), keyframe_indexes: [0] }), 422, 'video.keyframe_indexes must have one index per keyframe (2 keyframes, 1 indexes)'],
  ['a negative keyframe index', v({ keyframes: kf(2), keyframe_indexes: [0, -1] }), 422, 'video.keyframe_indexes[1]: -1 is negative'],
  ['a duplicate keyframe index', v({ keyframes: kf(2), keyframe_indexes: [24, 24] }), 422, 'video.keyframe_indexes[1]: 24 appears more than once'],
  ['index 121 on 5s', v({ keyframes: kf(1), keyframe_indexes: [121] }), 422, 'video.keyframe_indexes[0]: 121 is outside the 24 fps grid of a 5s video (0..120)'],
  ['index 241 on 10s', v({ duration: '10s', keyframes: kf(1), keyframe_indexes: [241] }), 422, 'video.keyframe_indexes[0]: 241 is outside the 24 fps grid of a 10s video (0..240)'],
  ['a fractional keyframe index', v({ keyframes: kf(1), keyframe_indexes: [1.5] }), 400, 'video.keyframe_indexes[0]: must be an integer'],
  ['65 keyframes', v({ keyframes: kf(65), keyframe_indexes: Array.from({ length: 65 }, (_, i) => i) }), 400, 'video.keyframes: must have at most 64 items'],
  ['extend with hdr', v({ start_frame: { generation_id: uuid }, hdr: true }), 422, 'Extending a generation (video.start_frame.generation_id) is SDR only: video.hdr and video.exr_export must be off'],
  ['a backward extend with hdr', v({ end_frame: { generation_id: uuid }, hdr: true, exr_export: true }), 422, 'Extending a generation (video.end_frame.generation_id) is SDR only: video.hdr and video.exr_export must be off'],
  ['extend plus an end_frame', v({ start_frame: { generation_id: uuid }, end_frame: img }), 422, 'Interpolation from a prior generation plus another keyframe is not available yet'],
  ['a backward extend plus a start_frame', v({ start_frame: img, end_frame: { generation_id: uuid } }), 422, 'Interpolation from a prior generation plus another keyframe is not available yet'],
  ['an extend of an unknown generation', v({ start_frame: { generation_id: uuid } }), 422, `video.start_frame: generation ${uuid} not found`],
  ['guide_frame', v({ guide_frame: img }), 422, 'video.guide_frame is not supported by this server'],

  ['video_edit without source', { prompt: 'p', model: 'ray-3.2', type: 'video_edit' }, 400, "source is required for type 'video_edit'"],
  ['a video url without media_type', edit({}, { source: { url: 'https://x/a.mp4' } }), 400, "source: 'media_type' (a video/* type) is required with a video 'url'"],
  ['inline video without media_type', edit({}, { source: { data: 'AAAA' } }), 400, "source: 'media_type' is required with 'data'"],
  ['an image media_type on a video source', edit({}, { source: { data: 'AAAA', media_type: 'image/png' } }), 400, "source: media_type 'image/png' is not a video type"],
  ['an empty source', edit({}, { source: {} }), 400, "source: provide either 'url' or 'data', not neither"],
  ['image_ref on video_edit', edit({}, { image_ref: [img] }), 400, "image_ref is not valid for type 'video_edit'"],
  ['loop on video_edit', edit({ loop: true }), 400, "video.loop is not valid for type 'video_edit'"],
  ['end_frame on video_edit', edit({ end_frame: img }), 400, "video.end_frame is not valid for type 'video_edit'"],
  ['video.keyframes on video_edit', edit({ keyframes: kf(1), keyframe_indexes: [0] }), 400, "video.keyframes is not valid for type 'video_edit'"],
  ['source_position on video_edit', edit({ source_position: { x_norm: 0, y_norm: 0, w_norm: 1, h_norm: 1 } }), 400, "video.source_position is not valid for type 'video_edit'"],
  ['start_frame with edit keyframes', edit({ start_frame: img, edit: { keyframes: kf(1), keyframe_indexes: [0] } }), 422, 'video.start_frame cannot be combined with video.edit.keyframes'],
  ['auto_controls with strength', edit({ edit: { auto_controls: true, strength: 'adhere_1' } }), 422, 'video.edit.auto_controls cannot be combined with video.edit.strength'],
  ['auto_controls with controls', edit({ edit: { auto_controls: true, controls: { face: { enabled: true } } } }), 422, 'video.edit.auto_controls cannot be combined with video.edit.controls'],
  ['an unknown strength', edit({ edit: { strength: 'wild' } }), 400, 'video.edit.strength: must be one of: adhere_1, adhere_2, adhere_3, flex_1, flex_2, flex_3, reimagine_1, reimagine_2, reimagine_3'],
  ['depth.blur above 1', edit({ edit: { controls: { depth: { blur: 1.5 } } } }), 400, 'video.edit.controls.depth.blur: must be <= 1'],
  ['an unknown pose strength', edit({ edit: { controls: { pose: { strength: 'loose' } } } }), 400, 'video.edit.controls.pose.strength: must be one of: precise, coarse'],
  ['edit keyframes without indexes', edit({ edit: { keyframes: kf(1) } }), 422, 'video.edit.keyframes and video.edit.keyframe_indexes must be given together'],
  ['a duplicate edit keyframe index', edit({ edit: { keyframes: kf(2), keyframe_indexes: [3, 3] } }), 422, 'video.edit.keyframe_indexes[1]: 3 appears more than once'],
  ['hdr at 540p on video_edit', edit({ hdr: true, resolution: '540p' }), 422, "video.hdr requires resolution 720p or 1080p, got '540p'"],
  ['exr_export without hdr on video_edit', edit({ exr_export: true }), 422, 'video.exr_export requires video.hdr'],
  ['an edit of an unknown generation', edit({}, { source: { generation_id: uuid } }), 422, `source: generation ${uuid} not found`],

  ['video_reframe without source', { prompt: 'p', model: 'ray-3.2', type: 'video_reframe', aspect_ratio: '9:16' }, 400, "source is required for type 'video_reframe'"],
  ['video_reframe without aspect_ratio', reframe({}, { aspect_ratio: null }), 400, "aspect_ratio is required for type 'video_reframe'"],
  ['an image-only ratio on video_reframe', reframe({}, { aspect_ratio: '2:1' }), 400, `Invalid aspect_ratio '2:1'. Valid: ${VIDEO_RATIOS}`],
  ['hdr on video_reframe', reframe({ hdr: true }), 400, "video.hdr is not valid for type 'video_reframe'"],
  ['exr_export on video_reframe', reframe({ exr_export: true }), 400, "video.exr_export is not valid for type 'video_reframe'"],
  ['loop on video_reframe', reframe({ loop: true }), 400, "video.loop is not valid for type 'video_reframe'"],
  ['edit on video_reframe', reframe({ edit: { strength: 'flex_1' } }), 400, "video.edit is not valid for type 'video_reframe'"],
  ['start_frame on video_reframe', reframe({ start_frame: img }), 400, "video.start_frame is not valid for type 'video_reframe'"],
  ['end_frame on video_reframe', reframe({ end_frame: img }), 400, "video.end_frame is not valid for type 'video_reframe'"],
  ['1080p to 9:16', reframe({ resolution: '1080p' }), 422, "resolution '1080p' for video_reframe is not available for vertical aspect ratios (9:16, 3:4) yet"],
  ['1080p to 3:4', reframe({ resolution: '1080p' }, { aspect_ratio: '3:4' }), 422, "resolution '1080p' for video_reframe is not available for vertical aspect ratios (9:16, 3:4) yet"],
  ['a source_position without h_norm', reframe({ source_position: { x_norm: 0, y_norm: 0, w_norm: 1 } }), 400, "video.source_position: 'h_norm' is required"],
  ['x_norm below -2', reframe({ source_position: { x_norm: -2.5, y_norm: 0, w_norm: 1, h_norm: 1 } }), 400, 'video.source_position.x_norm must be between -2.0 and 2.0, got -2.5'],
  ['y_norm above 2', reframe({ source_position: { x_norm: 0, y_norm: 2.1, w_norm: 1, h_norm: 1 } }), 400, 'video.source_position.y_norm must be between -2.0 and 2.0, got 2.1'],
  ['w_norm of 0', reframe({ source_position: { x_norm: 0, y_norm: 0, w_norm: 0, h_norm: 1 } }), 400, 'video.source_position.w_norm must be greater than 0 and at most 2.0, got 0'],
  ['h_norm above 2', reframe({ source_position: { x_norm: 0, y_norm: 0, w_norm: 1, h_norm: 2.5 } }), 400, 'video.source_position.h_norm must be greater than 0 and at most 2.0, got 2.5'],
];

describe('POST /v1/generations: ray-3.2 validation', () => {
  let ts: TestServer;
  let clip169: string;
  let png: string;
  before(async () => {
    ts = await startTestServer({ workers: '0' });
    clip169 = (await testClip(64, 36, 1)).toString('base64');
    png = (await solidImage(32, 18)).toString('base64');
  });
  after(() => ts.close());

  for (const [behaviour, body, status, detail] of REJECTED) {
    test(`${behaviour} is a ${status} with its detail`, async () => {
      const res = await ts.call('POST', '/v1/generations', { body });
      assert.deepEqual(await res.json(), { detail });
      assert.equal(res.status, status);
    });
  }

  const ok = async (body: object) => {
    const res = await ts.call('POST', '/v1/generations', { body });
    const json = await res.json();
    assert.equal(res.status, 201, JSON.stringify(json));
    assert.equal(json.state, 'queued');
    return json;
  };
  const image = () => ({ data: png, media_type: 'image/png' });
  const source = () => ({ data: clip169, media_type: 'video/mp4' });

  test('the allowed neighbours of each rule are accepted', async () => {
    await ok(v({}));
    await ok(v({ resolution: '360p', duration: '10s' }, { aspect_ratio: '21:9' }));
    await ok(v({ loop: true, start_frame: image() }));
    await ok(v({ start_frame: image(), end_frame: image() }));
    await ok(v({ hdr: true, exr_export: true, resolution: '1080p' }));
    await ok(v({ hdr: true, duration: '10s', keyframes: [image(), image()], keyframe_indexes: [0, 240] }));
    await ok(v({ keyframes: [image()], keyframe_indexes: [120], loop: false, hdr: false }));
    await ok(v({ loop: null, hdr: null, exr_export: null, start_frame: null, end_frame: null, keyframes: null, keyframe_indexes: null }));
    await ok(edit({ resolution: '360p', edit: { strength: 'reimagine_3', controls: { depth: { enabled: true, blur: 1 }, pose: { strength: 'coarse' } } } }, { source: source() }));
    await ok(edit({ edit: { auto_controls: true } }, { source: source(), aspect_ratio: '3:2' }));
    await ok(edit({ hdr: true, exr_export: true, start_frame: image(), duration: '10s' }, { source: source() }));
    await ok(edit({ edit: { keyframes: [image()], keyframe_indexes: [5] } }, { source: source() }));
    await ok(reframe({ resolution: '360p', source_position: { x_norm: -2, y_norm: 2, w_norm: 2, h_norm: 0.01 } }, { source: source() }));
    await ok(reframe({ resolution: '1080p', hdr: false, loop: false }, { source: source(), aspect_ratio: '1:1' }));
  });

  test('reframe to the source’s own ratio is a 422 (decided from the probed source)', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: reframe({}, { source: source(), aspect_ratio: '16:9' }) });
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), { detail: "aspect_ratio '16:9' matches the source's aspect ratio; video_reframe needs a different one" });
  });

  test('an edit keyframe index past the source’s last frame is a 422', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: edit({ edit: { keyframes: [image()], keyframe_indexes: [24] } }, { source: source() }) });
    assert.deepEqual(await res.json(), { detail: "video.edit.keyframe_indexes[0]: 24 is past the source's last frame (23)" });
    assert.equal(res.status, 422);
  });

  test('a source over the length cap is a 422: 18 s for video_edit, 30 s for video_reframe', async () => {
    const long = (await testClip(32, 18, 19)).toString('base64');
    const res = await ts.call('POST', '/v1/generations', { body: edit({}, { source: { data: long, media_type: 'video/mp4' } }) });
    assert.deepEqual(await res.json(), { detail: 'source: the video is 19.0 s long; video_edit accepts up to 18 s' });
    assert.equal(res.status, 422);
    await ok(reframe({}, { source: { data: long, media_type: 'video/mp4' } }));
  });
});

describe('ray-3.2 prices (spec §11) are held at submit', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '0', credits: '0.5' });
  });
  after(() => ts.close());

  test('a $0.30 720p clip fits a $0.50 balance; a second does not (402), a $0.15 540p one does', async () => {
    const post = (video: object) => ts.call('POST', '/v1/generations', { body: v(video) });
    assert.equal((await post({})).status, 201);
    const refused = await post({});
    assert.equal(refused.status, 402);
    assert.deepEqual(await refused.json(), { detail: 'Insufficient credits. Please add credits to continue.' });
    assert.equal((await post({ resolution: '540p' })).status, 201);
    assert.equal((await post({ resolution: '360p' })).status, 402, '$0.075 left over $0.05');
  });
});

describe('ray-3.2 edit prices (unpublished; docs/compatibility.md) are held at submit', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '0', credits: '5' });
  });
  after(() => ts.close());

  test('an edit holds the 5 s SDR rate per source second: $0.06/s at 720p, ×2 with HDR, ×3 with HDR+EXR', async () => {
    const source = { data: (await testClip(64, 36, 2)).toString('base64'), media_type: 'video/mp4' };
    const cases: Array<[object, number]> = [
      [{ resolution: '360p' }, 2 * 15_000],
      [{ resolution: '720p' }, 2 * 60_000],
      [{ resolution: '720p', hdr: true }, 2 * 120_000],
      [{ resolution: '1080p', hdr: true, exr_export: true }, 2 * 720_000],
    ];
    for (const [video, price] of cases) {
      const res = await ts.call('POST', '/v1/generations', { body: edit(video, { source }) });
      assert.equal(res.status, 201, JSON.stringify(video));
      const hold = await ledger.findLedgerEntry(ts.server.store.db, (await res.json()).id, 'hold');
      assert.equal(hold?.amount_micros, -price, JSON.stringify(video));
    }
  });
});
