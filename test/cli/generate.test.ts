import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { imageInfo, solidImage } from '../helpers/images.js';
import { KEY_A, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

describe('atelier generate / get', () => {
  let ts: TestServer;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    ts = await startTestServer({ workers: '2' });
    cwd = tempDir();
    env = { LUMA_AGENTS_API_KEY: KEY_A, LUMA_BASE_URL: `${ts.url}/v1` };
  });
  after(async () => {
    await ts.close();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  test('generate waits, downloads to --out and prints the path; quiet when not a TTY', async () => {
    const result = await runCli('atelier', ['generate', 'a red fox in snow', '--aspect-ratio', '9:16', '--format', 'jpeg', '--out', 'fox.jpg'], { env, cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'fox.jpg\n');
    assert.equal(result.stderr, '', 'no progress output without a terminal');
    const info = await imageInfo(fs.readFileSync(path.join(cwd, 'fox.jpg')));
    assert.equal(info.format, 'jpeg');
    assert.ok(info.height! > info.width!, '9:16 is portrait');
  });

  test('local files go inline as base64 with their media type; --json gives the generation and files', async () => {
    fs.writeFileSync(path.join(cwd, 'ref.webp'), await solidImage(64, 48, 'webp'));
    fs.writeFileSync(path.join(cwd, 'source.png'), await solidImage(320, 200, 'png'));
    const result = await runCli('atelier', ['generate', 'paint it', '--type', 'image_edit', '--source', 'source.png', '--ref', 'ref.webp', '--json', '--out', 'edits/'], { env, cwd });
    assert.equal(result.code, 0, result.stderr);
    const { generation, files } = JSON.parse(result.stdout);
    assert.equal(generation.state, 'completed');
    assert.equal(generation.type, 'image_edit');
    assert.deepEqual(files, [path.join('edits', `${generation.id}.png`)]);
    assert.deepEqual(await imageInfo(fs.readFileSync(path.join(cwd, files[0]))), { format: 'png', width: 320, height: 200 });

    const chained = await runCli('atelier', ['generate', 'again', '--type', 'image_edit', '--source', generation.id, '--no-wait', '--json'], { env, cwd });
    assert.equal(chained.code, 0, chained.stderr);
    assert.equal(JSON.parse(chained.stdout).state, 'queued');

    const got = await runCli('atelier', ['get', generation.id, '--json'], { env });
    assert.equal(got.code, 0, got.stderr);
    assert.equal(JSON.parse(got.stdout).id, generation.id);
    const human = await runCli('atelier', ['get', generation.id], { env });
    assert.match(human.stdout, new RegExp(`^${generation.id}  image_edit  uni-1  completed`));
  });

  test('API errors exit 1 with the detail; usage errors exit 2', async () => {
    const missing = await runCli('atelier', ['get', '00000000-0000-4000-8000-000000000000'], { env });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'error: Generation not found (HTTP 404)\n');
    const json = await runCli('atelier', ['get', '00000000-0000-4000-8000-000000000000', '--json'], { env });
    assert.equal(json.code, 1);
    assert.deepEqual({ ...JSON.parse(json.stderr), request_id: undefined }, { status: 404, detail: 'Generation not found', request_id: undefined });

    const badKey = await runCli('atelier', ['get', 'x', '--api-key', 'luma-api-wrong-000000000000000000000000'], { env });
    assert.equal(badKey.code, 1);
    assert.match(badKey.stderr, /Invalid API key/);
    const rejected = await runCli('atelier', ['generate', 'x', '--type', 'image_edit'], { env, cwd });
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /source/);

    for (const args of [['generate', 'x', '--style', 'nope'], ['generate', 'x', '--ref', 'missing.png'], ['generate', 'x', '--timeout', '0'], ['bogus']]) {
      const result = await runCli('atelier', args, { env, cwd });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    }
    const noKey = await runCli('atelier', ['get', 'x'], { env: { LUMA_BASE_URL: `${ts.url}/v1` } });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /LUMA_AGENTS_API_KEY/);
  });
});
