import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { fakeHttp } from '../helpers/fake-http.js';
import { solidImage } from '../helpers/images.js';
import { KEY_A, startTestServer, tempDir, waitForGeneration, type TestServer } from '../helpers/server.js';

const GENERATION_KEYS = ['created_at', 'failure_code', 'failure_reason', 'id', 'model', 'output', 'state', 'type'];

describe('luma-agents-cli against a real server', () => {
  let ts: TestServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    ts = await startTestServer({ workers: '2' });
    env = { LUMA_AGENTS_API_KEY: KEY_A, LUMA_BASE_URL: `${ts.url}/v1` };
  });
  after(() => ts.close());

  test('generations create prints the Generation as the official CLI does, and get reads it back', async () => {
    const created = await runCli('luma-agents-cli', ['generations', 'create', '--prompt', 'iced coffee', '--aspect-ratio', '1:1'], { env });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^\{\n {2}"id": /, 'indented JSON when stdout is not a terminal');
    const generation = JSON.parse(created.stdout);
    assert.deepEqual(Object.keys(generation).sort(), GENERATION_KEYS);
    assert.equal(generation.state, 'queued');
    await waitForGeneration(ts, generation.id);

    const byFlag = await runCli('luma-agents-cli', ['generations', 'get', '--generation-id', generation.id, '--format', 'jsonl'], { env });
    assert.equal(byFlag.code, 0, byFlag.stderr);
    assert.equal(byFlag.stdout.trim().split('\n').length, 1, 'jsonl is one line');
    const done = JSON.parse(byFlag.stdout);
    assert.equal(done.state, 'completed');
    assert.equal(done.output[0].type, 'image');

    const yaml = await runCli('luma-agents-cli', ['generations', 'get', generation.id, '--format', 'yaml'], { env });
    assert.equal(parseYaml(yaml.stdout).id, generation.id);
    const raw = await runCli('luma-agents-cli', ['--format', 'raw', 'generations', 'get', generation.id], { env });
    assert.equal(JSON.parse(raw.stdout).id, generation.id);
  });

  test('--auth-token and --base-url override the environment; errors print {"detail"} and exit 1', async () => {
    const bad = await runCli('luma-agents-cli', ['generations', 'get', 'abc', '--auth-token', 'luma-api-wrong-000000000000000000000000', '--format-error', 'json'], { env });
    assert.equal(bad.code, 1);
    assert.deepEqual(JSON.parse(bad.stderr), { detail: 'Invalid API key' });
    const missing = await runCli('luma-agents-cli', ['generations', 'get', 'abc', '--base-url', `${ts.url}/v1`, '--auth-token', KEY_A], { env: {} });
    assert.equal(missing.code, 1);
    assert.deepEqual(JSON.parse(missing.stderr), { detail: 'Generation not found' });
    const invalid = await runCli('luma-agents-cli', ['generations', 'create', '--prompt', 'x', '--type', 'image_edit'], { env });
    assert.equal(invalid.code, 1);
    assert.match(JSON.parse(invalid.stderr).detail, /source/);
    const noPrompt = await runCli('luma-agents-cli', ['generations', 'create'], { env });
    assert.equal(noPrompt.code, 2);
    assert.match(noPrompt.stderr, /--prompt/);
  });

  test('@file inlines an image as base64 for --source.data', async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'in.png'), await solidImage(200, 100));
      const result = await runCli(
        'luma-agents-cli',
        ['generations', 'create', '--prompt', 'edit', '--type', 'image_edit', '--source.data', `@${path.join(dir, 'in.png')}`, '--source.media-type', 'image/png'],
        { env },
      );
      assert.equal(result.code, 0, result.stderr);
      const done = await waitForGeneration(ts, JSON.parse(result.stdout).id);
      assert.equal(done.state, 'completed', done.failure_reason);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('luma-agents-cli builds the request body from the official flags', async () => {
  const fake = await fakeHttp(() => ({ status: 201, body: { id: 'x' } }));
  const dir = tempDir();
  try {
    fs.writeFileSync(path.join(dir, 'a.png'), await solidImage(8, 8));
    const args = [
      'generations', 'create', '--prompt', 'p', '--model', 'ray-3.2', '--type', 'video', '--aspect-ratio', '16:9',
      '--output-format', 'png', '--style', 'auto', '--user-id', 'u-1', '--web-search=false',
      '--image-ref.url', 'https://a.example/1.png', '--image-ref.data', `@${path.join(dir, 'a.png')}`, '--image-ref.media-type', 'image/png',
      '--image-ref.generation-id', '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e', '--image-ref', '{"file_id":"00000000-0000-4000-8000-000000000001"}',
      '--source.url', 'https://a.example/v.mp4', '--source.media-type', 'video/mp4',
      '--video.duration', '10s', '--video.resolution', '1080p', '--video.loop', '--video.hdr=false', '--video.exr-export', 'true',
      '--video.start-frame', '{"url":"https://a.example/s.png"}', '--video.keyframes', '{"generation_id":"k1"}', '--video.keyframes', '[{"generation_id":"k2"}]',
      '--video.keyframe-indexes', '0,48', '--video.keyframe-indexes', '96', '--video.source-position', '{"x":0.1,"y":0.2,"width":0.5,"height":0.5}',
      '--video.edit', '{"strength":"adhere_1"}', '--layering.resolution', '2k',
      '--auth-token', 'luma-api-cli', '--base-url', `${fake.url}/v1`,
    ];
    const result = await runCli('luma-agents-cli', args);
    assert.equal(result.code, 0, result.stderr);
    const request = fake.requests[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v1/generations');
    assert.equal(request.headers.authorization, 'Bearer luma-api-cli');
    assert.deepEqual(JSON.parse(request.body), {
      prompt: 'p',
      model: 'ray-3.2',
      type: 'video',
      aspect_ratio: '16:9',
      output_format: 'png',
      style: 'auto',
      user_id: 'u-1',
      web_search: false,
      image_ref: [
        { url: 'https://a.example/1.png' },
        { data: (await solidImage(8, 8)).toString('base64'), media_type: 'image/png' },
        { generation_id: '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e' },
        { file_id: '00000000-0000-4000-8000-000000000001' },
      ],
      source: { url: 'https://a.example/v.mp4', media_type: 'video/mp4' },
      video: {
        duration: '10s',
        resolution: '1080p',
        loop: true,
        hdr: false,
        exr_export: true,
        start_frame: { url: 'https://a.example/s.png' },
        keyframes: [{ generation_id: 'k1' }, { generation_id: 'k2' }],
        keyframe_indexes: [0, 48, 96],
        source_position: { x: 0.1, y: 0.2, width: 0.5, height: 0.5 },
        edit: { strength: 'adhere_1' },
      },
      layering: { resolution: '2k' },
    });
  } finally {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
