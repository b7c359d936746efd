import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Atelier, NotFoundError } from '../../src/client/index.js';
import { runCli } from '../helpers/cli.js';
import { imageInfo, solidImage } from '../helpers/images.js';
import { KEY_A, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

describe('SDK and luma-agents-cli files', () => {
  let ts: TestServer;
  let sdk: Atelier;
  let dir: string;
  before(async () => {
    ts = await startTestServer({ workers: '2' });
    sdk = new Atelier({ apiKey: KEY_A, baseURL: `${ts.url}/v1`, env: {} });
    dir = tempDir();
  });
  after(async () => {
    await ts.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('upload a local file: it returns once the file is ready, and an edit can use it at once', async () => {
    const file = path.join(dir, 'photo.png');
    fs.writeFileSync(file, await solidImage(300, 180));
    const created = await sdk.files.upload(file, { purpose: 'input' });
    assert.equal(created.upload, null, 'multipart mode needs no upload step');
    assert.equal(created.state, 'ready');
    assert.equal(created.file.state, 'ready', created.file.failure_reason ?? undefined);
    assert.equal(created.file.mime_type, 'image/png');
    assert.equal(created.file.filename, 'photo.png');
    assert.equal(created.file.size_bytes, fs.statSync(file).size);

    const edit = await sdk.generations.createAndWait({ prompt: 'warmer', type: 'image_edit', source: { file_id: created.id } }, { interval: 20 });
    assert.equal(edit.state, 'completed', edit.failure_reason ?? undefined);
    const out = await sdk.download(edit.output[0]!, path.join(dir, 'edit.png'));
    assert.deepEqual(await imageInfo(fs.readFileSync(out)), { format: 'png', width: 300, height: 180 });
  });

  test('upload with wait: false returns the pending file; a file the check refuses throws FileRejectedError', async () => {
    const pending = await sdk.files.upload(await solidImage(40, 40), { wait: false });
    assert.equal(pending.state, 'pending');
    assert.equal((await sdk.files.waitFor(pending.id)).state, 'ready');
    const bad = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
    await assert.rejects(sdk.files.upload(bad, { mimeType: 'image/png', filename: 'bad.png' }), (err: any) => {
      assert.equal(err.name, 'FileRejectedError');
      assert.equal(err.file.state, 'failed');
      assert.match(err.message, /^file \S+ is failed: /);
      return true;
    });
  });

  test('JSON mode: presigned PUT, complete, list newest first, delete', async () => {
    const bytes = await solidImage(64, 64, 'jpeg');
    const created = await sdk.files.create({ mime_type: 'image/jpeg', size_bytes: bytes.length, filename: 'a.jpg' });
    assert.equal(created.state, 'pending');
    const put = await fetch(created.upload!.url, { method: created.upload!.method, headers: created.upload!.headers, body: new Uint8Array(bytes) });
    assert.equal(put.status, 200);
    await sdk.files.complete(created.id);
    assert.equal((await sdk.files.waitFor(created.id)).state, 'ready');

    const page = await sdk.files.list({ limit: 1 });
    assert.deepEqual(page.data.map((f) => f.id), [created.id], 'newest first');
    assert.equal(page.has_more, true);
    const next = await sdk.files.list({ limit: 100, cursor: page.next_cursor! });
    assert.ok(!next.data.some((f) => f.id === created.id));

    assert.equal(await sdk.files.delete(created.id), undefined);
    assert.equal((await sdk.files.get(created.id)).state, 'deleted');
    const missing = await sdk.files.get('00000000-0000-4000-8000-000000000000').catch((e) => e);
    assert.ok(missing instanceof NotFoundError);
  });

  test('luma-agents-cli files create / complete / get / list / delete', async () => {
    const env = { LUMA_AGENTS_API_KEY: KEY_A, LUMA_BASE_URL: `${ts.url}/v1` };
    const bytes = await solidImage(32, 32);
    const created = await runCli('luma-agents-cli', ['files', 'create', '--mime-type', 'image/png', '--size-bytes', String(bytes.length), '--purpose', 'reference'], { env });
    assert.equal(created.code, 0, created.stderr);
    const { id, upload } = JSON.parse(created.stdout);
    assert.equal((await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: new Uint8Array(bytes) })).status, 200);

    const completed = await runCli('luma-agents-cli', ['files', 'complete', '--file-id', id], { env });
    assert.equal(completed.code, 0, completed.stderr);
    assert.equal(JSON.parse(completed.stdout).id, id);
    assert.equal((await sdk.files.waitFor(id)).state, 'ready');

    const got = await runCli('luma-agents-cli', ['files', 'get', id, '--format', 'jsonl'], { env });
    assert.equal(JSON.parse(got.stdout).purpose, 'reference');
    const listed = await runCli('luma-agents-cli', ['files', 'list', '--purpose', 'reference', '--state', 'ready'], { env });
    assert.deepEqual(JSON.parse(listed.stdout).data.map((f: { id: string }) => f.id), [id]);
    const deleted = await runCli('luma-agents-cli', ['files', 'delete', '--file-id', id], { env });
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, '');
    const bad = await runCli('luma-agents-cli', ['files', 'create', '--mime-type', 'image/png', '--size-bytes', 'lots'], { env });
    assert.equal(bad.code, 2);
  });
});
