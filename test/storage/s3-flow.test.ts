import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { imageInfo, solidImage } from '../helpers/images.js';
import { startS3rver, type FakeS3 } from '../helpers/s3rver.js';
import { download, generate, startTestServer, type TestServer } from '../helpers/server.js';
import { probeVideo, testClip } from '../helpers/video.js';

/** Waits for a file to leave `pending`. */
async function settled(ts: TestServer, id: string): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const file = await (await ts.call('GET', `/v1/files/${id}`)).json();
    if (file.state !== 'pending') return file;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`file ${id} never settled`);
}

/** POST /v1/files in JSON mode, PUT the bytes where it says, complete. */
async function uploadFile(ts: TestServer, bytes: Buffer, mimeType: string): Promise<{ id: string; url: string; complete: Response }> {
  const created = await (await ts.call('POST', '/v1/files', { body: { mime_type: mimeType, size_bytes: bytes.length } })).json();
  const put = await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: new Uint8Array(bytes) });
  assert.equal(put.status, 200, await put.text());
  const complete = await ts.call('POST', `/v1/files/${created.id}/complete`, { body: '' });
  return { id: created.id, url: created.upload.url, complete };
}

const objectKey = (url: string, s3: FakeS3) => decodeURIComponent(new URL(url).pathname.slice(`/${s3.bucket}/`.length));

describe('with blobs in S3 and presigned URLs (the default)', () => {
  let s3: FakeS3;
  let ts: TestServer;
  let bucket: S3BlobStore;
  before(async () => {
    s3 = await startS3rver('flow');
    ts = await startTestServer({ ...s3.flags, workers: '2' });
    bucket = new S3BlobStore({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, urls: 'presigned' });
  });
  after(async () => {
    bucket.close();
    await ts.close();
    await s3.close();
  });

  test('an image output is an object in the bucket, served by a presigned GET valid an hour; nothing lands in the data dir', async () => {
    const done = await generate(ts, { prompt: 'A lighthouse at dusk', aspect_ratio: '1:1' });
    assert.equal(done.state, 'completed');
    const url = new URL(done.output[0].url);
    assert.equal(url.origin + url.pathname.slice(0, `/${s3.bucket}/`.length), `${s3.endpoint}/${s3.bucket}/`);
    assert.equal(url.searchParams.get('X-Amz-Expires'), '3600');
    assert.equal(url.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.equal(res.headers.get('content-disposition'), 'inline; filename="output-0.png"');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.deepEqual(await imageInfo(bytes), { format: 'png', width: 2048, height: 2048 });
    assert.deepEqual(await bucket.read(objectKey(done.output[0].url, s3)), bytes);
    assert.equal(fs.existsSync(path.join(ts.dataDir, 'blobs')), false);
    // The dashboard may show them.
    const policy = (await fetch(`${ts.url}/dashboard/`)).headers.get('content-security-policy')!;
    assert.ok(policy.includes(`img-src 'self' blob: data: ${s3.endpoint};`), policy);
    assert.ok(policy.includes(`media-src 'self' blob: data: ${s3.endpoint};`), policy);
  });

  test('a file PUT to its presigned S3 URL, completed, is edited from; a PUT after completion changes nothing', async () => {
    const original = await solidImage(64, 48, 'png', { r: 20, g: 180, b: 60 });
    const upload = await uploadFile(ts, original, 'image/png');
    assert.ok(upload.url.startsWith(`${s3.endpoint}/${s3.bucket}/files/${upload.id}/upload?`), upload.url);
    assert.deepEqual(new URL(upload.url).searchParams.get('X-Amz-SignedHeaders')?.split(';'), ['content-length', 'content-type', 'host']);
    assert.equal(upload.complete.status, 200);
    assert.equal((await settled(ts, upload.id)).state, 'ready');

    const other = await solidImage(64, 48, 'png', { r: 200, g: 10, b: 200 });
    assert.equal((await fetch(upload.url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: new Uint8Array(other) })).status, 200);

    const edit = await generate(ts, { prompt: 'make it dusk', type: 'image_edit', source: { file_id: upload.id } });
    assert.equal(edit.state, 'completed', JSON.stringify(edit));
    assert.equal((await imageInfo(await download(edit.output[0].url))).format, 'png');
    const details = await (await ts.call('GET', `/v1/generations/${edit.id}/details`)).json();
    const source = details.inputs.find((input: any) => input.role === 'source');
    assert.ok(source.url.startsWith(`${s3.endpoint}/${s3.bucket}/inputs/${edit.id}/`), source.url);
    assert.deepEqual(await download(source.url), original, 'the edit read the bytes that were completed');
  });

  test('completing before the PUT, or after a PUT of the wrong size, is refused and the file still takes a PUT', async () => {
    const bytes = await solidImage(32, 32);
    const created = await (await ts.call('POST', '/v1/files', { body: { mime_type: 'image/png', size_bytes: bytes.length } })).json();
    const early = await ts.call('POST', `/v1/files/${created.id}/complete`, { body: '' });
    assert.equal(early.status, 422);
    assert.equal((await early.json()).detail, `File ${created.id} has no bytes yet: PUT them to upload.url, then complete`);
    // s3rver doesn't hold a PUT to its signed Content-Length, as S3 does: complete checks the size.
    await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: new Uint8Array(bytes.subarray(0, 10)) });
    const short = await ts.call('POST', `/v1/files/${created.id}/complete`, { body: '' });
    assert.equal(short.status, 422);
    assert.equal((await short.json()).detail, `Received 10 bytes; the file was created with size_bytes ${bytes.length}`);
    assert.equal((await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: new Uint8Array(bytes) })).status, 200);
    assert.equal((await ts.call('POST', `/v1/files/${created.id}/complete`, { body: '' })).status, 200);
    assert.equal((await settled(ts, created.id)).state, 'ready');
  });

  test('a video file uploaded to S3 is probed at submit and edited by ffmpeg from scratch copies that are removed after', async () => {
    const clip = await testClip(320, 180, 2);
    const upload = await uploadFile(ts, clip, 'video/mp4');
    assert.equal(upload.complete.status, 200);
    assert.equal((await settled(ts, upload.id)).state, 'ready');
    const done = await generate(ts, { prompt: 'watercolour', model: 'ray-3.2', type: 'video_edit', source: { file_id: upload.id }, video: { resolution: '360p', edit: { auto_controls: true } } });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.ok(done.output[0].url.startsWith(`${s3.endpoint}/${s3.bucket}/generations/${done.id}/`));
    const p = await probeVideo(await download(done.output[0].url));
    assert.deepEqual([p.codec, p.width, p.height, p.frames], ['h264', 640, 360, 48]);
    assert.deepEqual(fs.readdirSync(path.join(ts.dataDir, 'scratch')), []);
  });
});

describe('with blobs in S3 and --blob-urls proxy', () => {
  let s3: FakeS3;
  let ts: TestServer;
  before(async () => {
    s3 = await startS3rver('proxied');
    ts = await startTestServer({ ...s3.flags, blobUrls: 'proxy', workers: '1' });
  });
  after(async () => {
    await ts.close();
    await s3.close();
  });

  test('output URLs are our signed /v1/blobs URLs, streamed from the bucket with type and length; a tampered one is refused', async () => {
    const done = await generate(ts, { prompt: 'A kite', aspect_ratio: '1:1', output_format: 'jpeg' });
    const url = done.output[0].url as string;
    assert.ok(url.startsWith(`${ts.url}/v1/blobs/generations/${done.id}/`), url);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
    assert.deepEqual(await imageInfo(bytes), { format: 'jpeg', width: 2048, height: 2048 });
    const head = await fetch(url, { method: 'HEAD' });
    assert.deepEqual([head.status, head.headers.get('content-type'), head.headers.get('content-length')], [200, 'image/jpeg', String(bytes.length)]);
    assert.equal((await fetch(url.replace('output-0', 'output-1'))).status, 403);
  });

  test('a file upload goes to our own /v1/uploads URL and lands in the bucket', async () => {
    const bytes = await solidImage(16, 16);
    const upload = await uploadFile(ts, bytes, 'image/png');
    assert.ok(upload.url.startsWith(`${ts.url}/v1/uploads/${upload.id}?`), upload.url);
    assert.equal(upload.complete.status, 200);
    assert.equal((await settled(ts, upload.id)).state, 'ready');
    const row = await ts.server.store.db.selectFrom('files').select('blob_key').where('id', '=', upload.id).executeTakeFirstOrThrow();
    const bucket = new S3BlobStore({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, urls: 'proxy' });
    assert.deepEqual(await bucket.read(row.blob_key!), bytes);
    bucket.close();
  });
});
