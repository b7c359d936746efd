import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { solidImage } from '../helpers/images.js';
import { download, generate, startTestServer, type TestServer } from '../helpers/server.js';
import { frameRgb, imageRgb, meanDiff, probeVideo } from '../helpers/video.js';

const png = async (color: { r: number; g: number; b: number }) => (await solidImage(64, 36, 'png', color)).toString('base64');
const RED = { r: 220, g: 30, b: 30 };
const BLUE = { r: 20, g: 40, b: 210 };
const GREEN = { r: 30, g: 200, b: 60 };

describe('text-to-video and image-to-video (preview engine)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(() => ts.close());

  const video = async (options: object, extra: object = {}) => {
    const done = await generate(ts, { prompt: 'A paper boat on a rainy street', model: 'ray-3.2', type: 'video', ...extra, video: { resolution: '360p', ...options } });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.equal(done.output[0].type, 'video');
    return download(done.output[0].url);
  };

  test('defaults to 720p 16:9, 5 s: 1280×720 H.264 yuv420p, 24 fps, exactly 120 frames', async () => {
    const done = await generate(ts, { prompt: 'A paper boat', model: 'ray-3.2', type: 'video' });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.deepEqual(done.output.map((o: { type: string }) => o.type), ['video']);
    const p = await probeVideo(await download(done.output[0].url));
    assert.deepEqual([p.codec, p.pixFmt, p.width, p.height, p.fps, p.frames], ['h264', 'yuv420p', 1280, 720, 24, 120]);
  });

  test('360p 9:16 is 360×640; 10 s is exactly 240 frames', async () => {
    const p = await probeVideo(await video({ duration: '10s' }, { aspect_ratio: '9:16' }));
    assert.deepEqual([p.width, p.height, p.fps, p.frames], [360, 640, 24, 240]);
  });

  test('21:9 at 360p rounds the long side to even pixels (840×360)', async () => {
    const p = await probeVideo(await video({}, { aspect_ratio: '21:9' }));
    assert.deepEqual([p.width, p.height, p.frames], [840, 360, 120]);
  });

  test('the camera moves: first and last frames differ, and the same request gives the same bytes', async () => {
    const a = await video({}, { aspect_ratio: '16:9' });
    const b = await video({}, { aspect_ratio: '16:9' });
    assert.ok(a.equals(b), 'deterministic');
    const first = await frameRgb(a, 0);
    const last = await frameRgb(a, 119);
    assert.ok(meanDiff(first.data, last.data) > 3, 'motion');
  });

  test('start_frame shows on the first frame, end_frame on the last, interpolated between', async () => {
    const bytes = await video({ start_frame: { data: await png(RED), media_type: 'image/png' }, end_frame: { data: await png(BLUE), media_type: 'image/png' } }, { aspect_ratio: '16:9' });
    const p = await probeVideo(bytes);
    assert.equal(p.frames, 120);
    const red = await imageRgb(await solidImage(64, 36, 'png', RED), 640, 360);
    const blue = await imageRgb(await solidImage(64, 36, 'png', BLUE), 640, 360);
    const first = await frameRgb(bytes, 0);
    const last = await frameRgb(bytes, 119);
    const middle = await frameRgb(bytes, 60);
    assert.ok(meanDiff(first.data, red) < 6, `first ≈ start_frame (${meanDiff(first.data, red)})`);
    assert.ok(meanDiff(last.data, blue) < 6, `last ≈ end_frame (${meanDiff(last.data, blue)})`);
    assert.ok(meanDiff(middle.data, red) > 20 && meanDiff(middle.data, blue) > 20, 'the middle is neither');
  });

  test('keyframes show at their indexes (index 120 lands on the last frame)', async () => {
    const bytes = await video(
      {
        keyframes: [{ data: await png(GREEN), media_type: 'image/png' }, { data: await png(RED), media_type: 'image/png' }],
        keyframe_indexes: [48, 120],
      },
      { aspect_ratio: '16:9' },
    );
    const green = await imageRgb(await solidImage(64, 36, 'png', GREEN), 640, 360);
    const red = await imageRgb(await solidImage(64, 36, 'png', RED), 640, 360);
    assert.ok(meanDiff((await frameRgb(bytes, 48)).data, green) < 6, 'frame 48 = keyframe 0');
    assert.ok(meanDiff((await frameRgb(bytes, 119)).data, red) < 6, 'last frame = keyframe 1');
    assert.ok(meanDiff((await frameRgb(bytes, 10)).data, green) > 10, 'frame 10 is not yet the keyframe');
  });

  test('loop: the last frame matches the first, with motion in between', async () => {
    const bytes = await video({ loop: true }, { aspect_ratio: '1:1' });
    const first = await frameRgb(bytes, 0);
    const last = await frameRgb(bytes, 119);
    const middle = await frameRgb(bytes, 60);
    assert.ok(meanDiff(first.data, last.data) < 2, `loop closes (${meanDiff(first.data, last.data)})`);
    assert.ok(meanDiff(first.data, middle.data) > 3, 'it moves');
  });

  test('extend: start_frame.generation_id starts from the prior clip’s last frame', async () => {
    const prior = await generate(ts, { prompt: 'Prior clip', model: 'ray-3.2', type: 'video', aspect_ratio: '16:9', video: { resolution: '360p', end_frame: { data: await png(GREEN), media_type: 'image/png' } } });
    assert.equal(prior.state, 'completed');
    const priorBytes = await download(prior.output[0].url);
    const next = await video({ start_frame: { generation_id: prior.id } }, { aspect_ratio: '16:9' });
    const priorLast = await frameRgb(priorBytes, 119);
    const nextFirst = await frameRgb(next, 0);
    assert.ok(meanDiff(priorLast.data, nextFirst.data) < 6, `continues (${meanDiff(priorLast.data, nextFirst.data)})`);
    assert.equal((await probeVideo(next)).frames, 120);
  });

  test('backward extend: end_frame.generation_id ends on the prior clip’s first frame', async () => {
    const prior = await generate(ts, { prompt: 'Prior', model: 'ray-3.2', type: 'video', aspect_ratio: '16:9', video: { resolution: '360p', start_frame: { data: await png(BLUE), media_type: 'image/png' } } });
    assert.equal(prior.state, 'completed');
    const priorFirst = await frameRgb(await download(prior.output[0].url), 0);
    const before = await video({ end_frame: { generation_id: prior.id } }, { aspect_ratio: '16:9' });
    const last = await frameRgb(before, 119);
    assert.ok(meanDiff(priorFirst.data, last.data) < 6, `leads into it (${meanDiff(priorFirst.data, last.data)})`);
  });
});
