import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readExr, type ExrImage } from '../helpers/exr.js';
import { solidImage } from '../helpers/images.js';
import { download, startTestServer, tempDir, waitForGeneration, type TestServer } from '../helpers/server.js';
import { probeVideo, testClip, toolkit } from '../helpers/video.js';

const srgbToLinear = (v: number) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

/** The centre pixel of a 1280×720 still is sRGB (200, 40, 40) in linear ACES2065-1. */
function centreIsAces(exr: ExrImage, tolerance: number) {
  const at = 360 * 1280 + 640;
  const [r, g, b] = [srgbToLinear(200), srgbToLinear(40), srgbToLinear(40)];
  const expected = [0.4397 * r + 0.383 * g + 0.1774 * b, 0.0898 * r + 0.8134 * g + 0.0968 * b, 0.0175 * r + 0.1116 * g + 0.8708 * b];
  const got = [exr.planes.R[at], exr.planes.G[at], exr.planes.B[at]];
  expected.forEach((value, c) => assert.ok(Math.abs(got[c] - value) < tolerance, `channel ${'RGB'[c]}: ${got[c]} vs ${value}`));
}

describe('HDR and EXR export', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(() => ts.close());

  /** 720p is HDR's floor, so these renders are the suite's largest: allow them a few minutes on a busy machine. */
  const generate = async (server: TestServer, body: object) => {
    const res = await server.call('POST', '/v1/generations', { body });
    const created = await res.json();
    assert.equal(res.status, 201, JSON.stringify(created));
    return waitForGeneration(server, created.id, undefined, 240_000);
  };

  test('hdr gives 10-bit HEVC tagged BT.2020 / PQ, and exr_export adds a half-float OpenEXR of the first frame', async () => {
    const red = await solidImage(64, 36, 'png', { r: 200, g: 40, b: 40 });
    const done = await generate(ts, {
      prompt: 'Sunset', model: 'ray-3.2', type: 'video', aspect_ratio: '16:9',
      video: { hdr: true, exr_export: true, start_frame: { data: red.toString('base64'), media_type: 'image/png' } },
    });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.deepEqual(done.output.map((o: { type: string }) => o.type), ['video', 'exr']);

    const p = await probeVideo(await download(done.output[0].url));
    assert.deepEqual([p.codec, p.pixFmt, p.colorPrimaries, p.colorTransfer], ['hevc', 'yuv420p10le', 'bt2020', 'smpte2084']);
    assert.deepEqual([p.width, p.height, p.fps, p.frames], [1280, 720, 24, 120]);

    const exrBytes = await download(done.output[1].url);
    assert.equal(exrBytes.readUInt32LE(0), 20000630, 'OpenEXR magic');
    const exr = readExr(exrBytes);
    assert.deepEqual([exr.width, exr.height], [1280, 720]);
    assert.deepEqual(exr.channels.map((c) => [c.name, c.pixelType]), [['B', 1], ['G', 1], ['R', 1]]);
    assert.equal(exr.compression, 'NO_COMPRESSION');
    centreIsAces(exr, 0.01);
  });

  test('an HDR edit is HEVC Main 10 with PQ tags too', async () => {
    const clip = await testClip(128, 72, 1);
    const done = await generate(ts, { prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: { data: clip.toString('base64'), media_type: 'video/mp4' }, video: { hdr: true } });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    const p = await probeVideo(await download(done.output[0].url));
    assert.deepEqual([p.codec, p.pixFmt, p.colorTransfer, p.width, p.height, p.frames], ['hevc', 'yuv420p10le', 'smpte2084', 1280, 720, 24]);
  });

  test('an HDR edit with exr_export is one libx265 pass; its EXR is the first frame, here the start_frame guide', async () => {
    // ffmpeg behind a wrapper that records each run's arguments.
    const dir = tempDir();
    const ffmpeg = path.join(dir, 'ffmpeg');
    const runs = path.join(dir, 'runs');
    fs.writeFileSync(ffmpeg, `#!/bin/sh\necho "$*" >> ${runs}\nexec ${toolkit.info!.ffmpeg} "$@"\n`, { mode: 0o755 });
    const counted = await startTestServer({ ffmpegPath: ffmpeg, ffprobePath: toolkit.info!.ffprobe });
    try {
      const clip = await testClip(128, 72, 1);
      const red = await solidImage(64, 36, 'png', { r: 200, g: 40, b: 40 });
      const done = await generate(counted, {
        prompt: 'p', model: 'ray-3.2', type: 'video_edit', source: { data: clip.toString('base64'), media_type: 'video/mp4' },
        video: { hdr: true, exr_export: true, start_frame: { data: red.toString('base64'), media_type: 'image/png' } },
      });
      assert.equal(done.state, 'completed', JSON.stringify(done));
      assert.deepEqual(done.output.map((o: { type: string }) => o.type), ['video', 'exr']);
      const encodes = fs.readFileSync(runs, 'utf8').split('\n').filter((args) => / -c:v /.test(args));
      assert.deepEqual(encodes.map((args) => / -c:v (\S+)/.exec(args)![1]), ['libx265']);

      const p = await probeVideo(await download(done.output[0].url));
      assert.deepEqual([p.codec, p.pixFmt, p.colorPrimaries, p.colorTransfer, p.frames], ['hevc', 'yuv420p10le', 'bt2020', 'smpte2084', 24]);
      const exrBytes = await download(done.output[1].url);
      const exr = readExr(exrBytes);
      assert.deepEqual([exr.width, exr.height], [1280, 720]);
      // The centre pixel: sRGB (200, 40, 40) in linear ACES2065-1, after a trip through 4:2:0.
      centreIsAces(exr, 0.02);
    } finally {
      await counted.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

});
