import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Semaphore } from '../../src/media/semaphore.js';
import { VideoToolkit } from '../../src/media/video/index.js';
import { generate, startTestServer, tempDir, waitForGeneration } from '../helpers/server.js';
import { toolkit } from '../helpers/video.js';

const options = { ffmpegPath: '', ffprobePath: '', envPath: '', concurrency: 1, timeoutMs: 60_000 };

/** ffmpeg children of this test process still alive. */
function ffmpegChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).trim();
  return out.split('\n').filter((line) => /ffmpeg|ffprobe/.test(line));
}

describe('ffmpeg locator and child processes', () => {
  test('with nothing on PATH the npm binaries are used, and their encoders are read', () => {
    const found = new VideoToolkit(options);
    assert.equal(found.problem, null);
    assert.equal(found.info?.origin, 'npm');
    assert.ok(found.hasEncoder('libx264') && found.hasEncoder('libx265'));
    assert.equal(found.hasEncoder('no-such-encoder'), false);
  });

  test('FFMPEG_PATH wins, then ffmpeg on PATH; a bad FFMPEG_PATH is reported, not thrown', () => {
    const npm = toolkit.info!;
    const fromConfig = new VideoToolkit({ ...options, ffmpegPath: npm.ffmpeg, ffprobePath: npm.ffprobe });
    assert.equal(fromConfig.info?.origin, 'config');
    const dir = tempDir();
    fs.symlinkSync(npm.ffmpeg, path.join(dir, 'ffmpeg'));
    fs.symlinkSync(npm.ffprobe, path.join(dir, 'ffprobe'));
    const fromPath = new VideoToolkit({ ...options, envPath: dir });
    assert.equal(fromPath.info?.origin, 'path');
    assert.equal(fromPath.info?.ffmpeg, path.join(dir, 'ffmpeg'));
    const broken = new VideoToolkit({ ...options, ffmpegPath: '/nonexistent/ffmpeg' });
    assert.match(broken.problem ?? '', /FFMPEG_PATH \/nonexistent\/ffmpeg is not an executable file/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a child past its timeout is killed and the call fails', async () => {
    const quick = new VideoToolkit({ ...options, timeoutMs: 300 });
    await assert.rejects(quick.encode(['-re', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=24', '-f', 'null', '-']), /timed out after 300 ms/);
    assert.equal(quick.running, 0);
  });

  test('an aborted encode kills its child; close() kills whatever is left', async () => {
    const kit = new VideoToolkit({ ...options, concurrency: 2 });
    const abort = new AbortController();
    const endless = ['-re', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=24', '-f', 'null', '-'];
    const cancelled = kit.encode(endless, { signal: abort.signal });
    const orphan = kit.encode(endless);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(kit.running, 2);
    abort.abort();
    await assert.rejects(cancelled, /cancelled/);
    kit.close();
    await assert.rejects(orphan);
    assert.equal(kit.running, 0);
  });

  test('the semaphore runs at most `size` holders at once, in order', async () => {
    const gate = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map(async (n) => {
        const release = await gate.acquire();
        active++;
        peak = Math.max(peak, active);
        order.push(n);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        release();
      }),
    );
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    const held = await gate.acquire();
    const held2 = await gate.acquire();
    const abort = new AbortController();
    const waiting = gate.acquire(abort.signal);
    abort.abort();
    await assert.rejects(waiting);
    held();
    held2();
  });

  test('shutting the server down mid-encode leaves no ffmpeg process behind', async () => {
    const ts = await startTestServer({ drainMs: '50' });
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'Long', model: 'ray-3.2', type: 'video', video: { resolution: '1080p', duration: '10s' } } });
    const { id } = await res.json();
    const deadline = Date.now() + 60_000;
    while (ffmpegChildren().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(ffmpegChildren().length > 0, 'an encode was running');
    await ts.close();
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(ffmpegChildren(), []);
    assert.ok(id);
  });

  test('without a usable ffmpeg, video jobs fail with generation_failed and images still render', async () => {
    const ts = await startTestServer({ ffmpegPath: '/nonexistent/ffmpeg' });
    try {
      const failed = await generate(ts, { prompt: 'p', model: 'ray-3.2', type: 'video', video: { resolution: '360p' } });
      assert.equal(failed.state, 'failed');
      assert.equal(failed.failure_code, 'generation_failed');
      assert.match(failed.failure_reason, /ffmpeg/);
      const image = await generate(ts, { prompt: 'still works' });
      assert.equal(image.state, 'completed');
    } finally {
      await ts.close();
    }
  });

  test('with one encode slot, queued videos wait in the queue, not in a worker: an image still runs', async () => {
    // An ffmpeg that lists its encoders and then never finishes an encode.
    const dir = tempDir();
    const fake = path.join(dir, 'ffmpeg');
    fs.writeFileSync(fake, '#!/bin/sh\ncase "$*" in *-encoders*) echo " V..... libx264 fake"; echo " V..... libx265 fake";; *) exec sleep 600;; esac\n', { mode: 0o755 });
    const ts = await startTestServer({ workers: '2', videoConcurrency: '1', drainMs: '50', ffmpegPath: fake, ffprobePath: toolkit.info!.ffprobe });
    try {
      const post = (body: object) => ts.call('POST', '/v1/generations', { body }).then((r) => r.json());
      const first = await post({ prompt: 'Stuck 1', model: 'ray-3.2', type: 'video', video: { resolution: '360p' } });
      const second = await post({ prompt: 'Stuck 2', model: 'ray-3.2', type: 'video', video: { resolution: '360p' } });
      const image = await post({ prompt: 'A quick image' });
      assert.equal((await waitForGeneration(ts, image.id, undefined, 60_000)).state, 'completed');
      const states = await Promise.all([first, second].map(async (g) => (await (await ts.call('GET', `/v1/generations/${g.id}`)).json()).state));
      assert.deepEqual(states.sort(), ['processing', 'queued']);
    } finally {
      await ts.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
