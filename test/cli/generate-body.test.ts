import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateBody } from '../../src/cli/generate-body.js';
import { runCli } from '../helpers/cli.js';
import { KEY_A, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const image = { data: 'AAAA', media_type: 'image/png' };
const video = { url: 'https://example.com/clip.mp4', media_type: 'video/mp4' };

describe('atelier generate infers the type and takes the video and layering options', () => {
  test('the type follows the model, the source and the flags when --type is absent', () => {
    const type = (flags: object, source?: object, sourceIsVideo = false) => generateBody('p', flags, { source: source as never, sourceIsVideo }).type;
    assert.equal(type({}), 'image');
    assert.equal(type({}, image), 'image_edit');
    assert.equal(type({ model: 'ray-3.2' }), 'video');
    assert.equal(type({ duration: '10s' }), 'video');
    assert.equal(type({}, video), 'video_edit');
    assert.equal(type({}, { generation_id: 'g' }, true), 'video_edit');
    assert.equal(type({ aspectRatio: '9:16' }, video), 'video_reframe');
    assert.equal(type({ layeringResolution: '2k' }, image), 'layering');
    assert.equal(type({ type: 'image' }), 'image');
  });

  test('video flags become the video object, ray-3.2 is chosen for video, unset flags are left out', () => {
    assert.deepEqual(generateBody('a boat', { resolution: '360p', duration: '5s', loop: true, hdr: true, exr: true }, { sourceIsVideo: false }), {
      prompt: 'a boat',
      type: 'video',
      model: 'ray-3.2',
      video: { duration: '5s', resolution: '360p', loop: true, hdr: true, exr_export: true },
    });
    assert.deepEqual(generateBody('', { layeringResolution: '1k' }, { source: image as never, sourceIsVideo: false }), {
      prompt: '',
      type: 'layering',
      source: image,
      layering: { resolution: '1k' },
    });
  });

  test("aspect ratios are checked per type, naming the ones that type takes by shape", () => {
    assert.throws(() => generateBody('p', { aspectRatio: '4:3' }, { sourceIsVideo: false }), /--aspect-ratio 4:3 isn't offered for image: use one of 3:1, 2:1, 16:9, 3:2, 1:1, 2:3, 9:16, 1:2, 1:3/);
    assert.throws(() => generateBody('p', { aspectRatio: '3:1', model: 'ray-3.2' }, { sourceIsVideo: false }), /isn't offered for video: use one of 21:9, 16:9, 4:3, 1:1, 3:4, 9:16/);
    assert.throws(() => generateBody('p', { aspectRatio: '16:9', style: 'manga' }, { sourceIsVideo: false }), /for manga image: use one of 2:3, 9:16, 1:2, 1:3/);
    assert.equal(generateBody('p', { aspectRatio: '21:9', model: 'ray-3.2' }, { sourceIsVideo: false }).aspect_ratio, '21:9');
    assert.throws(() => generateBody('p', { hdr: true, type: 'image' }, { sourceIsVideo: false }), /--hdr is a video option, but this is a image generation/);
    assert.throws(() => generateBody('p', { model: 'uni-1-max', type: 'layering' }, { sourceIsVideo: false }), /--model uni-1-max can't make type layering/);
  });

  describe('against a server', () => {
    let ts: TestServer;
    let cwd: string;
    before(async () => {
      ts = await startTestServer({ workers: '1' });
      cwd = tempDir();
    });
    after(async () => {
      await ts.close();
      fs.rmSync(cwd, { recursive: true, force: true });
    });

    test('--model ray-3.2 with --resolution and --duration renders a video; a bad ratio is a usage error', async () => {
      const env = { LUMA_AGENTS_API_KEY: KEY_A, LUMA_BASE_URL: ts.url };
      const result = await runCli('atelier', ['generate', 'A paper boat', '--model', 'ray-3.2', '--resolution', '360p', '--duration', '5s', '--out', 'boat.mp4', '--json'], { env, cwd });
      assert.equal(result.code, 0, result.stderr);
      const { generation, files } = JSON.parse(result.stdout);
      assert.equal(generation.type, 'video');
      assert.deepEqual(files, ['boat.mp4']);
      assert.ok(fs.statSync(path.join(cwd, 'boat.mp4')).size > 1000);

      const refused = await runCli('atelier', ['generate', 'x', '--aspect-ratio', '4:3'], { env, cwd });
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /^error: --aspect-ratio 4:3 isn't offered for image/);
    });
  });
});
