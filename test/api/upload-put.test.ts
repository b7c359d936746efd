import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { solidImage } from '../helpers/images.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A PUT whose body is written in two parts, the second when `release` resolves; no Content-Length. */
function chunkedPut(url: string, first: Buffer, release: Promise<Buffer>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-type': 'image/png', 'transfer-encoding': 'chunked' } });
    req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)));
    req.on('error', reject);
    req.write(first);
    release.then((rest) => req.end(rest));
  });
}

describe('a presigned PUT replaces nothing unless it is checked and the file still takes uploads', () => {
  let ts: TestServer;
  let a: Buffer;
  let b: Buffer;
  before(async () => {
    ts = await startTestServer({ workers: '1' });
    a = await solidImage(40, 30, 'png', { r: 10, g: 200, b: 10 });
    b = await solidImage(40, 30, 'png', { r: 200, g: 10, b: 200 });
    assert.equal(a.length, b.length);
  });
  after(() => ts.close());

  const created = async (size: number) => (await ts.call('POST', '/v1/files', { body: { mime_type: 'image/png', size_bytes: size } })).json();
  const storedBytes = async (id: string) => {
    const row = await ts.server.store.db.selectFrom('files').select(['blob_key', 'state']).where('id', '=', id).executeTakeFirstOrThrow();
    return { state: row.state, bytes: fs.readFileSync(path.join(ts.dataDir, 'blobs', row.blob_key!)) };
  };
  const settle = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const file = await (await ts.call('GET', `/v1/files/${id}`)).json();
      if (file.state !== 'pending') return file;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('file never settled');
  };

  test('a short PUT that gets 422 leaves the earlier bytes in place', async () => {
    const file = await created(a.length);
    assert.equal((await fetch(file.upload.url, { method: 'PUT', headers: file.upload.headers, body: new Uint8Array(a) })).status, 200);
    assert.equal(await chunkedPut(file.upload.url, b.subarray(0, 10), Promise.resolve(b.subarray(10, 20))), 422);
    assert.ok((await storedBytes(file.id)).bytes.equals(a));
    assert.equal((await ts.call('POST', `/v1/files/${file.id}/complete`, { body: '' })).status, 200);
    assert.equal((await settle(file.id)).state, 'ready');
    assert.deepEqual(fs.readdirSync(path.join(ts.dataDir, 'blobs', 'files', file.id)).length, 1, 'only the accepted bytes are kept');
  });

  test('a slow PUT that ends after the file became ready gets 409 and swaps nothing', async () => {
    const file = await created(a.length);
    let finish!: (rest: Buffer) => void;
    const slow = chunkedPut(file.upload.url, b.subarray(0, 100), new Promise((r) => (finish = r)));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await fetch(file.upload.url, { method: 'PUT', headers: file.upload.headers, body: new Uint8Array(a) })).status, 200);
    assert.equal((await ts.call('POST', `/v1/files/${file.id}/complete`, { body: '' })).status, 200);
    assert.equal((await settle(file.id)).state, 'ready');
    finish(b.subarray(100));
    assert.equal(await slow, 409);
    const stored = await storedBytes(file.id);
    assert.equal(stored.state, 'ready');
    assert.ok(stored.bytes.equals(a), 'the checked bytes stay');
    assert.deepEqual(fs.readdirSync(path.join(ts.dataDir, 'blobs', 'files', file.id)).length, 1, 'the late bytes are removed');
  });

  test('a second PUT before complete replaces the first, whose bytes go', async () => {
    const file = await created(a.length);
    for (const bytes of [a, b]) assert.equal((await fetch(file.upload.url, { method: 'PUT', headers: file.upload.headers, body: new Uint8Array(bytes) })).status, 200);
    assert.ok((await storedBytes(file.id)).bytes.equals(b));
    assert.deepEqual(fs.readdirSync(path.join(ts.dataDir, 'blobs', 'files', file.id)).length, 1);
  });
});
