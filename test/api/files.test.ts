import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { imageInfo, solidImage } from '../helpers/images.js';
import { download, generate, KEY_B, ManualClock, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';

const blob = (bytes: Buffer, type: string) => new Blob([new Uint8Array(bytes)], { type });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Files API', () => {
  let ts: TestServer;
  const clock = new ManualClock();
  let png: Buffer;
  before(async () => {
    ts = await startTestServer({ workers: '1', filesSweepMs: '50' }, { clock });
    png = await solidImage(40, 30);
  });
  after(() => ts.close());

  const upload = (parts: Record<string, string | Blob>, filename = 'pic.png', key?: string) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(parts)) {
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, value, filename);
    }
    return fetch(`${ts.url}/v1/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key ?? 'luma-api-test-client-a-0123456789abcdef'}` } });
  };
  const json = async (res: Response) => ({ status: res.status, body: res.status === 204 ? null : await res.json() });
  const getFile = async (id: string, key?: string) => json(await ts.call('GET', `/v1/files/${id}`, { key }));

  async function settled(id: string): Promise<any> {
    for (let i = 0; i < 400; i++) {
      const { body } = await getFile(id);
      if (body.state !== 'pending') return body;
      await sleep(25);
    }
    throw new Error(`file ${id} stayed pending`);
  }

  async function presigned(bytes: Buffer, mime = 'image/png', extra: object = {}) {
    const created = await json(await ts.call('POST', '/v1/files', { body: { mime_type: mime, size_bytes: bytes.length, ...extra } }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body;
  }

  test('multipart: the file part is stored, ingested and becomes ready', async () => {
    const res = await upload({ purpose: 'reference', user_id: 'u-1', file: blob(png, 'image/png') });
    const { status, body } = await json(res);
    assert.equal(status, 201);
    assert.equal(body.upload, null);
    assert.equal(body.id, body.file.id);
    assert.equal(body.state, 'pending');
    assert.deepEqual(
      { purpose: body.file.purpose, user_id: body.file.user_id, filename: body.file.filename, size: body.file.size_bytes },
      { purpose: 'reference', user_id: 'u-1', filename: 'pic.png', size: png.length },
    );
    const ready = await settled(body.id);
    assert.equal(ready.state, 'ready');
    assert.equal(ready.mime_type, 'image/png');
    assert.equal(ready.failure_reason, null);
    assert.match(ready.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const stored = fs.readFileSync(path.join(ts.dataDir, 'blobs', 'files', body.id, 'original'));
    assert.ok(stored.equals(png));
  });

  test('multipart: an octet-stream part is typed by its bytes; damaged bytes end failed', async () => {
    const jpeg = await solidImage(20, 20, 'jpeg');
    const typed = await json(await upload({ file: blob(jpeg, 'application/octet-stream') }, 'x.bin'));
    assert.equal(typed.status, 201);
    assert.equal((await settled(typed.body.id)).mime_type, 'image/jpeg');

    const damaged = await json(await upload({ file: blob(png.subarray(0, png.length - 20), 'image/png') }));
    const failed = await settled(damaged.body.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.failure_reason, /^corrupt_input: /);

    const lying = await json(await upload({ file: blob(jpeg, 'image/png') }));
    assert.equal((await settled(lying.body.id)).failure_reason, "mime_type 'image/png' does not match the data, which is JPEG");
  });

  test('a burst of uploads all end ready', async () => {
    const created = await Promise.all(Array.from({ length: 8 }, () => upload({ file: blob(png, 'image/png') }).then(json)));
    assert.ok(created.every((c) => c.status === 201));
    const states = await Promise.all(created.map((c) => settled(c.body.id).then((f) => f.state)));
    assert.deepEqual(new Set(states), new Set(['ready']));
  });

  test('multipart: refusals are JSON with the right status', async () => {
    assert.deepEqual(await json(await upload({ purpose: 'input' })), { status: 400, body: { detail: "A multipart upload needs a part named 'file'" } });
    assert.deepEqual(await json(await upload({ file: blob(Buffer.from('%PDF-1.7'), 'application/pdf') }, 'doc.pdf')), {
      status: 422,
      body: { detail: "mime_type 'application/pdf' is not supported: upload an image (JPEG, PNG, WebP, GIF) or a video (MP4, MOV, WebM)" },
    });
    assert.deepEqual(await json(await upload({ purpose: 'other', file: blob(png, 'image/png') })), {
      status: 400,
      body: { detail: 'purpose: must be one of: input, reference' },
    });
    const big = Buffer.alloc(50 * 1024 * 1024 + 1);
    png.copy(big);
    assert.deepEqual(await json(await upload({ file: blob(big, 'image/png') })), {
      status: 413,
      body: { detail: 'File exceeds the 50 MB limit for image files' },
    });
    assert.equal((await fetch(`${ts.url}/healthz`)).status, 200);
  });

  test('JSON mode: presigned PUT, complete, ready, then usable as file_id in every ImageRef position', async () => {
    const created = await presigned(png, 'image/png', { filename: 'src.png' });
    assert.equal(created.state, 'pending');
    assert.equal(created.upload.method, 'PUT');
    assert.deepEqual(created.upload.headers, { 'content-type': 'image/png' });
    assert.ok(Date.parse(created.upload.expires_at) > clock.now());

    const early = await json(await ts.call('POST', `/v1/files/${created.id}/complete`, { body: '' }));
    assert.deepEqual(early, { status: 422, body: { detail: `File ${created.id} has no bytes yet: PUT them to upload.url, then complete` } });

    const put = await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: new Uint8Array(png) });
    assert.equal(put.status, 200);
    // The SDK sends bodiless POSTs with Content-Type: application/json.
    const completed = await json(await ts.call('POST', `/v1/files/${created.id}/complete`, { body: '' }));
    assert.equal(completed.status, 200);
    assert.equal(completed.body.id, created.id);
    assert.equal((await settled(created.id)).state, 'ready');
    const again = await json(await ts.call('POST', `/v1/files/${created.id}/complete`));
    assert.equal(again.body.state, 'ready');

    const afterComplete = await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: new Uint8Array(png) });
    assert.equal(afterComplete.status, 409);

    const edit = await generate(ts, { prompt: 'edit the file', type: 'image_edit', source: { file_id: created.id }, image_ref: [{ file_id: created.id }] });
    assert.equal(edit.state, 'completed', JSON.stringify(edit));
    assert.deepEqual(await imageInfo(await download(edit.output[0].url)), { format: 'png', width: 40, height: 30 });
    const refs = await generate(ts, { prompt: 'use the file', aspect_ratio: '1:1', image_ref: [{ file_id: created.id }] });
    assert.equal(refs.state, 'completed');
  });

  test('presigned PUTs: wrong size, tampered and expired signatures are refused', async () => {
    const created = await presigned(png);
    const wrong = await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: new Uint8Array(png.subarray(1)) });
    assert.deepEqual(await json(wrong), { status: 422, body: { detail: `Received ${png.length - 1} bytes; the file was created with size_bytes ${png.length}` } });
    const tampered = new URL(created.upload.url);
    tampered.searchParams.set('signature', 'x' + tampered.searchParams.get('signature')!.slice(1));
    assert.deepEqual(await json(await fetch(tampered, { method: 'PUT', headers: created.upload.headers, body: new Uint8Array(png) })), {
      status: 403,
      body: { detail: 'Upload URL signature is invalid' },
    });
    const other = await presigned(png);
    const swapped = created.upload.url.replace(created.id, other.id);
    assert.equal((await fetch(swapped, { method: 'PUT', headers: created.upload.headers, body: new Uint8Array(png) })).status, 403);

    clock.advance(3601_000);
    assert.deepEqual(await json(await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: new Uint8Array(png) })), {
      status: 403,
      body: { detail: 'Upload URL has expired' },
    });
    // The sweeper ends an upload that was never completed while its URL was valid.
    const abandoned = await settled(created.id);
    assert.deepEqual([abandoned.state, abandoned.failure_reason], ['failed', 'the upload was not completed before its URL expired']);
  });

  test('JSON mode validation', async () => {
    const post = async (body: unknown) => json(await ts.call('POST', '/v1/files', { body }));
    assert.deepEqual(await post({ mime_type: 'application/pdf', size_bytes: 10 }), {
      status: 422,
      body: { detail: "mime_type 'application/pdf' is not supported: upload an image (JPEG, PNG, WebP, GIF) or a video (MP4, MOV, WebM)" },
    });
    assert.deepEqual(await post({ mime_type: 'image/png', size_bytes: 60 * 1024 * 1024 }), { status: 413, body: { detail: 'File exceeds the 50 MB limit for image files' } });
    assert.deepEqual(await post({ mime_type: 'video/mp4', size_bytes: 60 * 1024 * 1024 }).then((r) => r.status), 201);
    assert.deepEqual(await post({ mime_type: 'image/png' }), { status: 400, body: { detail: "body: 'size_bytes' is required" } });
    assert.deepEqual(await post({ mime_type: 'image/png', size_bytes: 10, expires_at: '2001-01-01T00:00:00Z' }), {
      status: 400,
      body: { detail: 'expires_at: must be in the future' },
    });
    assert.deepEqual(await post({ mime_type: 'image/png', size_bytes: 10, purpose: 'x' }), { status: 400, body: { detail: 'purpose: must be one of: input, reference' } });
    const text = await ts.call('POST', '/v1/files', { body: 'hello', headers: { 'content-type': 'text/plain' } });
    assert.deepEqual(await json(text), { status: 415, body: { detail: "Unsupported Content-Type 'text/plain'. Use multipart/form-data or application/json" } });
  });

  test('files belong to their client: foreign, unknown and malformed ids are 404 and unusable', async () => {
    const mine = await presigned(png);
    assert.deepEqual(await getFile(mine.id, KEY_B), { status: 404, body: { detail: 'File not found' } });
    assert.deepEqual(await getFile('not-a-uuid'), { status: 404, body: { detail: 'File not found' } });
    assert.equal((await ts.call('DELETE', `/v1/files/${mine.id}`, { key: KEY_B })).status, 404);
    assert.equal((await ts.call('POST', `/v1/files/${mine.id}/complete`, { key: KEY_B })).status, 404);
    const res = await ts.call('POST', '/v1/generations', { key: KEY_B, body: { prompt: 'p', image_ref: [{ file_id: mine.id }] } });
    assert.deepEqual(await json(res), { status: 422, body: { detail: `image_ref[0]: file ${mine.id} not found` } });
    const pending = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', type: 'image_edit', source: { file_id: mine.id } } });
    assert.deepEqual(await json(pending), { status: 422, body: { detail: `source: file ${mine.id} is pending, not ready` } });
    const damaged = await json(await upload({ file: blob(Buffer.from('GIF89a-not-really'), 'image/gif') }));
    await settled(damaged.body.id);
    const failed = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', image_ref: [{ file_id: damaged.body.id }] } });
    assert.deepEqual(await json(failed), { status: 422, body: { detail: `image_ref[0]: file ${damaged.body.id} is failed, not ready` } });
  });

  test('DELETE is a 204 soft delete: the file reads as deleted, leaves the list and can no longer be used', async () => {
    const { body } = await json(await upload({ file: blob(png, 'image/png') }));
    await settled(body.id);
    const res = await ts.call('DELETE', `/v1/files/${body.id}`, { headers: { accept: '*/*' } });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
    const gone = await getFile(body.id);
    assert.equal(gone.body.state, 'deleted');
    assert.ok(Date.parse(gone.body.deleted_at) > 0);
    assert.equal((await ts.call('DELETE', `/v1/files/${body.id}`)).status, 204);
    const listed = await json(await ts.call('GET', '/v1/files?limit=100'));
    assert.ok(!listed.body.data.some((f: any) => f.id === body.id));
    const onlyDeleted = await json(await ts.call('GET', '/v1/files?state=deleted&limit=100'));
    assert.ok(onlyDeleted.body.data.some((f: any) => f.id === body.id));
    const use = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', image_ref: [{ file_id: body.id }] } });
    assert.deepEqual(await json(use), { status: 422, body: { detail: `image_ref[0]: file ${body.id} has been deleted` } });
    assert.deepEqual(await json(await ts.call('POST', `/v1/files/${body.id}/complete`)), { status: 422, body: { detail: `File ${body.id} has been deleted` } });
  });

  test('GET /v1/files lists newest first with a keyset cursor and filters', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      ids.push((await presigned(png, 'image/png', { purpose: i % 2 ? 'reference' : 'input', filename: `list-${i}` })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(await ts.call('GET', `/v1/files?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: undefined }));
      assert.equal(page.status, 200);
      assert.ok(page.body.data.length <= 2);
      seen.push(...page.body.data.map((f: any) => f.id));
      cursor = page.body.next_cursor;
      assert.equal(page.body.has_more, cursor !== null);
    } while (cursor);
    assert.deepEqual(seen.slice(0, 5), [...ids].reverse());
    assert.deepEqual(seen, [...seen].sort().reverse(), 'newest first throughout');

    const refs = await json(await ts.call('GET', '/v1/files?purpose=reference&state=pending&limit=100'));
    assert.ok(refs.body.data.every((f: any) => f.purpose === 'reference' && f.state === 'pending'));
    assert.deepEqual(refs.body.data.slice(0, 2).map((f: any) => f.id), [ids[3], ids[1]]);
    assert.deepEqual((await json(await ts.call('GET', '/v1/files', { key: KEY_B }))).body.data, []);

    for (const [query, detail] of [
      ['limit=0', 'limit: must be an integer from 1 to 100'],
      ['limit=101', 'limit: must be an integer from 1 to 100'],
      ['limit=1.5', 'limit: must be an integer from 1 to 100'],
      ['limit=ten', 'limit: must be an integer from 1 to 100'],
      ['purpose=both', 'purpose: must be one of: input, reference'],
      ['state=gone', 'state: must be one of: pending, ready, failed, deleted'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor: not a cursor from next_cursor'],
    ]) {
      assert.deepEqual(await json(await ts.call('GET', `/v1/files?${query}`)), { status: 400, body: { detail } });
    }
  });

  test('expires_at is honoured: the sweeper deletes the file and its blob', async () => {
    const expiresAt = new Date(clock.now() + 60_000).toISOString();
    const { body } = await json(await upload({ expires_at: expiresAt, file: blob(png, 'image/png') }));
    assert.equal(body.file.expires_at, expiresAt);
    await settled(body.id);
    const blobDir = path.join(ts.dataDir, 'blobs', 'files', body.id);
    assert.ok(fs.existsSync(blobDir));
    clock.advance(61_000);
    for (let i = 0; i < 200 && fs.existsSync(blobDir); i++) await sleep(25);
    assert.ok(!fs.existsSync(blobDir), 'the blob is gone');
    assert.equal((await getFile(body.id)).body.state, 'deleted');
  });

  test('a file used by a generation is copied, so deleting it later does not break the job', async () => {
    const bytes = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#09f' } }).png().toBuffer();
    const { body } = await json(await upload({ file: blob(bytes, 'image/png') }));
    await settled(body.id);
    const submitted = await json(await ts.call('POST', '/v1/generations', { body: { prompt: 'p', type: 'image_edit', source: { file_id: body.id } } }));
    assert.equal(submitted.status, 201);
    const copy = path.join(ts.dataDir, 'blobs', 'inputs', submitted.body.id, 'source-0');
    assert.deepEqual(fs.readFileSync(copy), bytes, 'the generation holds its own copy of the bytes');
    assert.equal((await ts.call('DELETE', `/v1/files/${body.id}`)).status, 204);
    const done = await waitForGeneration(ts, submitted.body.id);
    assert.equal(done.state, 'completed', JSON.stringify(done));
  });
});
