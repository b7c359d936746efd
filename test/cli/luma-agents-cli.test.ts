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
    // `queue` is an extension field of queued generations (docs/extensions.md).
    assert.deepEqual(Object.keys(generation).filter((k) => k !== 'queue').sort(), GENERATION_KEYS);
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

describe('luma-agents-cli output flags', () => {
  const generation = {
    id: '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e',
    state: 'completed',
    output: [
      { type: 'image', url: 'https://cdn.example/a.png' },
      { type: 'image', url: 'https://cdn.example/b.png' },
    ],
  };
  let fake: Awaited<ReturnType<typeof fakeHttp>>;
  const cli = (...args: string[]) => runCli('luma-agents-cli', [...args, '--auth-token', 'luma-api-cli', '--base-url', `${fake.url}/v1`]);
  before(async () => {
    fake = await fakeHttp((req) =>
      req.url.endsWith(generation.id) ? { status: 200, body: generation } : { status: 404, body: { detail: 'Generation not found' } },
    );
  });
  after(() => fake.close());

  test('--transform applies a GJSON path to the response; -r prints a string result bare', async () => {
    const quoted = await cli('generations', 'get', generation.id, '--transform', 'output.0.url');
    assert.equal(quoted.code, 0, quoted.stderr);
    assert.equal(quoted.stdout, '"https://cdn.example/a.png"\n');
    const bare = await cli('generations', 'get', generation.id, '--transform', 'output.0.url', '-r');
    assert.equal(bare.stdout, 'https://cdn.example/a.png\n');
    const mapped = await cli('generations', 'get', generation.id, '--transform', 'output.#.url', '--format', 'jsonl', '--raw-output');
    assert.equal(mapped.stdout, '["https://cdn.example/a.png","https://cdn.example/b.png"]\n', '-r leaves non-strings as JSON');
    const counted = await cli('generations', 'get', generation.id, '--transform', 'output.#(url%"*b.png")#|#');
    assert.equal(counted.stdout, '1\n');
  });

  test('a --transform that matches nothing prints the whole response, as the official CLI does', async () => {
    const result = await cli('generations', 'get', generation.id, '--transform', 'no.such.field', '-r');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), generation);
  });

  test('--transform-error applies to the error body; --transform does not', async () => {
    const result = await cli('generations', 'get', 'missing', '--transform', 'id', '--transform-error', 'detail', '--format-error', 'json');
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, '"Generation not found"\n');
  });

  test('--format explore falls back to JSON, with a warning, when stdout is not a terminal', async () => {
    const result = await cli('generations', 'get', generation.id, '--format', 'explore', '--transform', 'output.1');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${JSON.stringify(generation.output[1], null, 2)}\n`);
    assert.match(result.stderr, /'explore' not supported for non-terminal output; falling back to 'json'/);
  });
});

test('hidden @completion prints bash, zsh and fish scripts naming the commands and flags', async () => {
  const help = await runCli('luma-agents-cli', ['--help']);
  assert.doesNotMatch(help.stdout, /@completion/, 'the command is hidden');
  const bash = await runCli('luma-agents-cli', ['@completion', 'bash']);
  assert.equal(bash.code, 0, bash.stderr);
  assert.match(bash.stdout, /complete -F _luma_agents_cli luma-agents-cli/);
  assert.match(bash.stdout, /"root"\) words="generations files .*--transform .*--raw-output -r/);
  assert.match(bash.stdout, /"generations\/create"\) state="generations create"/);
  assert.match(bash.stdout, /"generations create"\) words="--prompt .*--image-ref\.url /);
  assert.match(bash.stdout, /"files list"\) words="--cursor --limit --purpose --state /);
  assert.match(bash.stdout, /--format\) COMPREPLY=\(\$\(compgen -W "auto explore json jsonl pretty raw yaml"/);
  const zsh = await runCli('luma-agents-cli', ['@completion', 'zsh']);
  assert.match(zsh.stdout, /^#compdef luma-agents-cli\nautoload -U \+X bashcompinit && bashcompinit\n/);
  const fish = await runCli('luma-agents-cli', ['@completion', 'fish']);
  assert.match(fish.stdout, /-n '__fish_seen_subcommand_from files; and not __fish_seen_subcommand_from create list get complete delete help' -a list/);
  assert.match(fish.stdout, /-n '__fish_seen_subcommand_from generations; and __fish_seen_subcommand_from get' -l generation-id -r/);
  const unknown = await runCli('luma-agents-cli', ['@completion', 'tcsh']);
  assert.equal(unknown.code, 2);
});
