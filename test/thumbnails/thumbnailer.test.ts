import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import type { BlobStore } from '../../src/storage/index.js';
import { pageThumbnails, Thumbnailer, ThumbnailUnavailable } from '../../src/thumbnails/index.js';
import { solidImage } from '../helpers/images.js';
import { testClip, toolkit } from '../helpers/video.js';

/** A blob store in memory, with no files of its own (as a bucket), that counts writes. */
function memoryBlobs(initial: Record<string, Buffer>) {
  const blobs = new Map(Object.entries(initial));
  const puts: string[] = [];
  const unused = () => Promise.reject(new Error('not used by thumbnails'));
  const store: BlobStore = {
    put: async (key, bytes) => void (puts.push(key), blobs.set(key, bytes)),
    read: async (key) => blobs.get(key) ?? null,
    stat: async (key) => (blobs.has(key) ? { size: blobs.get(key)!.length } : null),
    localFile: async (key, dir) => {
      if (!blobs.has(key)) return null;
      const file = path.join(dir, path.basename(key));
      fs.writeFileSync(file, blobs.get(key)!);
      return file;
    },
    putStream: unused,
    copy: unused,
    readHead: unused,
    open: unused,
    deletePrefix: unused,
    listChildren: unused,
    sweepDebris: unused,
    close: () => {},
  };
  return { store, puts, blobs };
}

test('a thumbnail is rendered once however many ask at once, then read from the store', async () => {
  const { store, puts, blobs } = memoryBlobs({ 'generations/g/output-0.jpg': await solidImage(1600, 900, 'jpeg') });
  const thumbnailer = new Thumbnailer({ blobs: store });
  const results = await Promise.all(Array.from({ length: 6 }, () => thumbnailer.get('generations/g/output-0.jpg')));
  assert.deepEqual(puts, ['generations/g/output-0.jpg.thumb-384.webp']);
  assert.ok(results.every((r) => r!.equals(results[0]!)));
  const meta = await sharp(results[0]!).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 683, 384]);

  // A second process (a fresh thumbnailer on the same store) renders nothing.
  assert.deepEqual(await new Thumbnailer({ blobs: store }).get('generations/g/output-0.jpg'), results[0]);
  assert.equal(puts.length, 1);
  assert.equal(blobs.size, 2);
});

test('layers keep their transparency', async () => {
  const layer = await sharp({ create: { width: 800, height: 800, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
  const { store } = memoryBlobs({ 'generations/g/output-1.png': layer });
  const thumb = await new Thumbnailer({ blobs: store }).get('generations/g/output-1.png');
  const { data, info } = await sharp(thumb!).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width, 384);
  assert.equal(data[3], 0, 'transparent');
});

test('a missing blob has no thumbnail; an EXR, undecodable bytes or a video without ffmpeg are unavailable, and nothing is stored', async () => {
  const { store, puts } = memoryBlobs({
    'generations/g/output-1.exr': Buffer.from('v/1\u0001'),
    'generations/g/output-0.png': Buffer.from('not a png'),
    'generations/g/output-0.mp4': await testClip(64, 36, 1),
  });
  const thumbnailer = new Thumbnailer({ blobs: store });
  assert.equal(await thumbnailer.get('generations/none/output-0.png'), null);
  assert.equal(await thumbnailer.get('generations/none/output-0.mp4'), null);
  assert.equal(await thumbnailer.get('generations/none/output-1.exr'), null);
  await assert.rejects(thumbnailer.get('generations/g/output-1.exr'), ThumbnailUnavailable);
  await assert.rejects(thumbnailer.get('generations/g/output-0.png'), ThumbnailUnavailable);
  await assert.rejects(thumbnailer.get('generations/g/output-0.mp4'), ThumbnailUnavailable);
  assert.deepEqual(puts, []);

  const withVideo = new Thumbnailer({ blobs: store, video: toolkit });
  const poster = await sharp((await withVideo.get('generations/g/output-0.mp4'))!).metadata();
  assert.deepEqual([poster.format, poster.width, poster.height], ['webp', 64, 36]);
});

test('a page gets thumbnail URLs for completed generations only, null for outputs without one', () => {
  const output = JSON.stringify([
    { type: 'video', key: 'generations/a/output-0.mp4', media_type: 'video/mp4' },
    { type: 'exr', key: 'generations/a/output-1.exr', media_type: 'image/x-exr' },
  ]);
  const row = { id: 'a', state: 'completed', output } as never;
  const running = { id: 'b', state: 'processing', output: null } as never;
  const page = pageThumbnails([row, running], 'http://h', Buffer.alloc(32), 0);
  assert.deepEqual(Object.keys(page), ['a']);
  assert.match(page.a[0]!, /^http:\/\/h\/v1\/thumbnails\/generations\/a\/output-0\.mp4\?expires=3600&signature=/);
  assert.equal(page.a[1], null);
});
