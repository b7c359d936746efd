import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { solidImage } from '../helpers/images.js';
import { download, generate, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { frameRgb, meanDiff, probeVideo, testClip, toolkit } from '../helpers/video.js';

/** The source frame `index`, resized as the engine would place it. */
async function sourceFrame(clip: Buffer, index: number, width: number, height: number): Promise<Buffer> {
  const { data, width: w, height: h } = await frameRgb(clip, index);
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer();
}

/** A region of a packed RGB frame. */
function region(rgb: Buffer, stride: number, x: number, y: number, w: number, h: number): Buffer {
  const out = Buffer.alloc(w * h * 3);
  for (let row = 0; row < h; row++) rgb.copy(out, row * w * 3, ((y + row) * stride + x) * 3, ((y + row) * stride + x + w) * 3);
  return out;
}

describe('video_edit and video_reframe (preview engine)', () => {
  let ts: TestServer;
  let clip: Buffer;
  let fake: http.Server;
  let fakeUrl: string;
  before(async () => {
    ts = await startTestServer();
    clip = await testClip(320, 180, 2);
    fake = http.createServer((req, res) => {
      if (req.url === '/clip.mp4') res.writeHead(200, { 'content-type': 'video/mp4' }).end(clip);
      else if (req.url === '/huge.mp4') {
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(201 * 1024 * 1024) });
        res.write(Buffer.alloc(1024));
        setTimeout(() => res.destroy(), 2000);
      }
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  after(async () => {
    await ts.close();
    fake.close();
  });

  const source = () => ({ data: clip.toString('base64'), media_type: 'video/mp4' });
  const editOf = async (edit: object, extra: object = {}) => {
    const done = await generate(ts, { prompt: 'Make it a watercolour', model: 'ray-3.2', type: 'video_edit', source: source(), ...extra, video: { resolution: '360p', edit } });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    return download(done.output[0].url);
  };

  test('an edit keeps the source’s length and aspect: 2 s 16:9 in, 640×360 24 fps 48 frames out', async () => {
    const p = await probeVideo(await editOf({ auto_controls: true }));
    assert.deepEqual([p.codec, p.width, p.height, p.fps, p.frames], ['h264', 640, 360, 24, 48]);
  });

  test('the difference from the source grows from adhere_1 to flex_2 to reimagine_3', async () => {
    const reference = await sourceFrame(clip, 24, 640, 360);
    const diffs = [];
    for (const strength of ['adhere_1', 'flex_2', 'reimagine_3']) diffs.push(meanDiff((await frameRgb(await editOf({ strength }), 24)).data, reference));
    assert.ok(diffs[0] < diffs[1] && diffs[1] < diffs[2], `diffs ${diffs.map((d) => d.toFixed(1))}`);
    assert.ok(diffs[2] - diffs[0] > 15, 'visibly');
  });

  test('controls and auto_controls are recorded in the MP4 metadata', async () => {
    const controls = { depth: { enabled: true, blur: 0.5 }, pose: { enabled: true, strength: 'coarse' } };
    const manual = JSON.parse((await probeVideo(await editOf({ strength: 'flex_1', controls }))).tags.comment);
    assert.equal(manual.atelier.auto_controls, false);
    assert.equal(manual.atelier.strength, 'flex_1');
    assert.deepEqual(manual.atelier.controls, controls);
    const auto = JSON.parse((await probeVideo(await editOf({ auto_controls: true }))).tags.comment);
    assert.equal(auto.atelier.auto_controls, true);
  });

  test('a start_frame guide shows on the first output frame of an edit', async () => {
    const guide = await solidImage(32, 18, 'png', { r: 240, g: 200, b: 20 });
    const bytes = await editOf({ strength: 'adhere_2' }, {});
    const guided = await generate(ts, {
      prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: source(),
      video: { resolution: '360p', start_frame: { data: guide.toString('base64'), media_type: 'image/png' }, edit: { strength: 'adhere_2' } },
    });
    const first = (await frameRgb(await download(guided.output[0].url), 0)).data;
    const yellow = await sharp(guide).resize(640, 360).removeAlpha().raw().toBuffer();
    assert.ok(meanDiff(first, yellow) < 6, `guide frame (${meanDiff(first, yellow)})`);
    assert.ok(meanDiff((await frameRgb(bytes, 0)).data, yellow) > 30, 'without the guide it is the source');

    const keyed = await generate(ts, {
      prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: source(),
      video: { resolution: '360p', edit: { strength: 'adhere_2', keyframes: [{ data: guide.toString('base64'), media_type: 'image/png' }], keyframe_indexes: [30] } },
    });
    const keyedBytes = await download(keyed.output[0].url);
    assert.ok(meanDiff((await frameRgb(keyedBytes, 30)).data, yellow) < 6, 'edit keyframe at its source frame');
    assert.ok(meanDiff((await frameRgb(keyedBytes, 29)).data, yellow) > 30, 'and only there');
  });

  test('an edit of a completed video by generation_id, and a source fetched by URL', async () => {
    const prior = await generate(ts, { prompt: 'Prior', model: 'ray-3.2', type: 'video', aspect_ratio: '9:16', video: { resolution: '360p' } });
    const chained = await generate(ts, { prompt: 'Edit', model: 'ray-3.2', type: 'video_edit', source: { generation_id: prior.id }, video: { resolution: '360p' } });
    assert.equal(chained.state, 'completed', JSON.stringify(chained));
    const p = await probeVideo(await download(chained.output[0].url));
    assert.deepEqual([p.width, p.height, p.frames], [360, 640, 120]);

    const fetched = await generate(ts, { prompt: 'Edit', model: 'ray-3.2', type: 'video_edit', source: { url: `${fakeUrl}/clip.mp4`, media_type: 'video/mp4' }, video: { resolution: '360p' } });
    assert.equal(fetched.state, 'completed', JSON.stringify(fetched));
  });

  test('a ready video file (Files API) is a source by file_id; an image file is not', async () => {
    const upload = async (bytes: Buffer, type: string, name: string) => {
      const form = new FormData();
      form.append('purpose', 'input');
      form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
      const res = await fetch(`${ts.url}/v1/files`, { method: 'POST', body: form, headers: { authorization: 'Bearer luma-api-test-client-a-0123456789abcdef' } });
      const { id } = await res.json();
      for (let i = 0; i < 400; i++) {
        const file = await (await ts.call('GET', `/v1/files/${id}`)).json();
        if (file.state !== 'pending') return file;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('file stayed pending');
    };
    const file = await upload(clip, 'video/mp4', 'clip.mp4');
    assert.equal(file.state, 'ready', JSON.stringify(file));
    const done = await generate(ts, { prompt: 'p', model: 'ray-3.2', type: 'video_reframe', aspect_ratio: '1:1', source: { file_id: file.id }, video: { resolution: '360p' } });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    const p = await probeVideo(await download(done.output[0].url));
    assert.deepEqual([p.width, p.height, p.frames], [360, 360, 48]);

    const picture = await upload(await solidImage(32, 18), 'image/png', 'pic.png');
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: { file_id: picture.id } } });
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), { detail: `source: file ${picture.id} is not a video` });
  });

  test('a URL that is not a video is a 422; an image generation is not a video source', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: { url: `${fakeUrl}/page`, media_type: 'video/mp4' } } });
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), { detail: 'source: content-type is not a video' });
    const picture = await generate(ts, { prompt: 'An image' });
    const res2 = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: { generation_id: picture.id } } });
    assert.equal(res2.status, 422);
    assert.deepEqual(await res2.json(), { detail: `source: generation ${picture.id} has no video output` });
  });

  test('a URL declaring more than 200 MB is a 413 before the bytes are read', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', model: 'ray-3.2', type: 'video_reframe', aspect_ratio: '1:1', source: { url: `${fakeUrl}/huge.mp4`, media_type: 'video/mp4' } } });
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { detail: 'source: video exceeds 200 MB limit' });
  });

  test('non-video bytes fail with unsupported_format, a broken MP4 with corrupt_input', async () => {
    const png = await solidImage(32, 18);
    const notVideo = await generate(ts, { prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: { data: png.toString('base64'), media_type: 'video/mp4' } });
    assert.equal(notVideo.state, 'failed');
    assert.equal(notVideo.failure_code, 'unsupported_format');
    assert.deepEqual(notVideo.output, []);
    const broken = Buffer.concat([clip.subarray(0, 32), Buffer.alloc(2000, 0x5a)]);
    const corrupt = await generate(ts, { prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: { data: broken.toString('base64'), media_type: 'video/mp4' } });
    assert.equal(corrupt.state, 'failed');
    assert.equal(corrupt.failure_code, 'corrupt_input');
    assert.match(corrupt.failure_reason, /^source: /);

    // Headers intact, frames damaged: found while decoding.
    const damaged = Buffer.from(clip);
    for (let i = damaged.length >> 1; i < (damaged.length >> 1) + 3000; i++) damaged[i] = (i * 7) % 256;
    const midway = await generate(ts, { prompt: 'p', model: 'ray-3.2', type: 'video_reframe', aspect_ratio: '1:1', source: { data: damaged.toString('base64'), media_type: 'video/mp4' }, video: { resolution: '360p' } });
    assert.equal(midway.state, 'failed');
    assert.equal(midway.failure_code, 'corrupt_input');
    assert.equal(midway.failure_reason, 'source: the video could not be decoded');
  });

  test('an ffprobe that times out at submit is a 503, not an edit priced at a guessed length', async () => {
    const dir = tempDir();
    const ffprobe = path.join(dir, 'ffprobe');
    fs.writeFileSync(ffprobe, '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    const stalled = await startTestServer({ ffprobePath: ffprobe, ffmpegTimeoutMs: '1000' });
    try {
      const res = await stalled.call('POST', '/v1/generations', { body: { prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: source(), video: { resolution: '360p' } } });
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { detail: 'source: video probing unavailable, try again' });
    } finally {
      await stalled.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the source is probed once, at submit: the job runs on the facts measured there', async () => {
    const dir = tempDir();
    const ffprobe = path.join(dir, 'ffprobe');
    const calls = path.join(dir, 'calls');
    fs.writeFileSync(ffprobe, `#!/bin/sh\necho probe >> ${calls}\nexec ${toolkit.info!.ffprobe} "$@"\n`, { mode: 0o755 });
    const counted = await startTestServer({ ffprobePath: ffprobe });
    try {
      const done = await generate(counted, { prompt: 'p', model: 'ray-3.2', type: 'video_reframe', aspect_ratio: '1:1', source: source(), video: { resolution: '360p' } });
      assert.equal(done.state, 'completed', JSON.stringify(done));
      assert.equal(fs.readFileSync(calls, 'utf8'), 'probe\n');
    } finally {
      await counted.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('reframe 16:9 → 9:16: centred fit, exposed area filled, source length kept', async () => {
    const done = await generate(ts, { prompt: 'Extend the sky', model: 'ray-3.2', type: 'video_reframe', aspect_ratio: '9:16', source: source(), video: { resolution: '360p' } });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    const bytes = await download(done.output[0].url);
    const p = await probeVideo(bytes);
    assert.deepEqual([p.codec, p.width, p.height, p.fps, p.frames], ['h264', 360, 640, 24, 48]);
    // 320×180 fitted to a 360-wide canvas: 360×202 (even), centred at y = 219.
    const frame = (await frameRgb(bytes, 12)).data;
    const inner = region(frame, 360, 0, 219 + 4, 360, 194);
    const expected = region(await sourceFrame(clip, 12, 360, 202), 360, 0, 4, 360, 194);
    assert.ok(meanDiff(inner, expected) < 18, `source in place (${meanDiff(inner, expected)})`);
    const top = region(frame, 360, 0, 0, 360, 200);
    const mean = top.reduce((s, v) => s + v, 0) / top.length;
    assert.ok(mean > 12, `the exposed area is filled, not black (${mean})`);
    assert.ok(meanDiff(top, Buffer.alloc(top.length, top[0])) > 2, 'and not flat');
  });

  test('reframe at source_position puts the source there', async () => {
    const done = await generate(ts, {
      prompt: 'p', model: 'ray-3.2', type: 'video_reframe', aspect_ratio: '1:1', source: source(),
      video: { resolution: '360p', source_position: { x_norm: 0.5, y_norm: 0.25, w_norm: 0.5, h_norm: 0.5 } },
    });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    const bytes = await download(done.output[0].url);
    const frame = (await frameRgb(bytes, 6)).data;
    const placed = region(frame, 360, 180 + 4, 90 + 4, 172, 172);
    const expected = region(await sourceFrame(clip, 6, 180, 180), 180, 4, 4, 172, 172);
    assert.ok(meanDiff(placed, expected) < 14, `placed (${meanDiff(placed, expected)})`);
    const meta = JSON.parse((await probeVideo(bytes)).tags.comment);
    assert.deepEqual(meta.atelier.placement, { x: 180, y: 90, w: 180, h: 180 });
  });
});
