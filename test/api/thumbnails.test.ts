import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { download, generate, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';
import { startS3rver } from '../helpers/s3rver.js';
import { frameRgb, meanDiff } from '../helpers/video.js';

const ADMIN = 'thumbnails-admin-token-0123456789';
let ts: TestServer;
before(async () => {
  ts = await startTestServer({ clock: 'virtual', adminToken: ADMIN });
});
after(() => ts.close());

type Page = { data: Array<{ id: string; output: Array<{ url: string }> }>; thumbnails: Record<string, Array<string | null>> };
const list = async (route = '/v1/generations'): Promise<Page> => {
  const res = await ts.call('GET', route, route.startsWith('/admin/') ? { key: ADMIN } : {});
  assert.equal(res.status, 200);
  return res.json();
};

test('the generation list gives each image output a small WebP thumbnail, made once and kept beside the output', async () => {
  const done = await generate(ts, { prompt: 'a harbour at noon, wide', aspect_ratio: '2:1' });
  const original = await download(done.output[0].url);
  const full = await sharp(original).metadata();

  const page = await list();
  const item = page.data.find((g) => g.id === done.id)!;
  assert.deepEqual(item, done, 'the list items stay exactly GET /v1/generations/{id}');
  const [url] = page.thumbnails[done.id];
  assert.match(url!, new RegExp(`^${ts.url}/v1/thumbnails/generations/${done.id}/output-0\\.png\\?expires=\\d+&signature=`));

  const res = await fetch(url!);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/webp');
  const thumb = Buffer.from(await res.arrayBuffer());
  const meta = await sharp(thumb).metadata();
  assert.equal(meta.format, 'webp');
  assert.equal(Math.min(meta.width!, meta.height!), 384, 'short side 384 px');
  assert.ok(Math.abs(meta.width! / meta.height! - full.width! / full.height!) < 0.01, 'same aspect as the output');
  assert.ok(thumb.length * 10 < original.length, `${thumb.length} bytes against ${original.length}`);

  const cached = path.join(ts.dataDir, 'blobs', 'generations', done.id, 'output-0.png.thumb-384.webp');
  assert.deepEqual(fs.readFileSync(cached), thumb, 'cached in the blob store beside the output');
  assert.deepEqual(Buffer.from(await (await fetch(url!)).arrayBuffer()), thumb);

  // The operator's list carries the same thumbnails.
  const admin = await list('/admin/v1/generations');
  assert.match(admin.thumbnails[done.id][0]!, /\/v1\/thumbnails\/generations\//);
});

test("a video's thumbnail is its first frame", async () => {
  const done = await generate(ts, { prompt: 'a slow pan over hills', model: 'ray-3.2', type: 'video', aspect_ratio: '16:9', video: { resolution: '360p' } });
  const [poster] = (await list()).thumbnails[done.id];
  const thumb = await download(poster!);
  const meta = await sharp(thumb).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 640, 360], '360p is small already: never enlarged');
  const first = await frameRgb(await download(done.output[0].url), 0);
  const pixels = await sharp(thumb).removeAlpha().raw().toBuffer();
  assert.ok(meanDiff(pixels, first.data) < 4, 'the first frame');
  const last = await frameRgb(await download(done.output[0].url), 119);
  assert.ok(meanDiff(pixels, last.data) > meanDiff(pixels, first.data));
});

test('thumbnail URLs are signed: a changed key, a blob URL reused, an expired one and other methods are refused', async () => {
  const done = await generate(ts, { prompt: 'signed thumbnails' });
  const url = new URL((await list()).thumbnails[done.id][0]!);
  const refused = async (target: string, status: number, detail: string, method = 'GET') => {
    const res = await fetch(target, { method });
    assert.equal(res.status, status, target);
    assert.deepEqual(await res.json(), { detail });
  };
  await refused(url.href.replace('output-0.png', 'output-1.png'), 403, 'Signed URL signature is invalid');
  await refused(url.href.replace(/signature=[^&]+/, 'signature=x'), 403, 'Signed URL signature is invalid');
  const blob = new URL(done.output[0].url);
  await refused(`${ts.url}/v1/thumbnails${blob.pathname.slice('/v1/blobs'.length)}${blob.search}`, 403, 'Signed URL signature is invalid');
  await refused(url.href, 405, 'Method Not Allowed', 'POST');

  // Minted with an expiry rounded up to 10 minutes: a refresh soon after gets the same URL (and the browser's copy).
  const clock = async () => (await (await ts.call('GET', '/admin/v1/clock', { key: ADMIN })).json()).now_ms as number;
  const advance = (ms: number) => ts.call('POST', '/admin/v1/clock/advance', { key: ADMIN, body: { seconds: ms / 1000 } });
  const ttl = Number(url.searchParams.get('expires')) * 1000 - (await clock());
  assert.ok(ttl >= 3_600_000 && ttl <= 4_200_000, `valid ${ttl} ms`);
  await advance(600_000 - ((await clock()) % 600_000) + 1000); // 1 s past a boundary
  const first = (await list()).thumbnails[done.id][0];
  await advance(5000);
  assert.equal((await list()).thumbnails[done.id][0], first);
  await advance(2 * 3_600_000);
  await refused(url.href, 403, 'Signed URL has expired');
});

test('only completed generations have thumbnails', async () => {
  const failed = await ts.call('POST', '/v1/generations', { body: { prompt: 'doomed' }, headers: { 'x-atelier-fault': 'generation_failed' } });
  const { id } = await failed.json();
  await waitForGeneration(ts, id);
  const page = await list();
  assert.equal(page.data.find((g) => g.id === id)?.output.length, 0);
  assert.equal(id in page.thumbnails, false);
});

test('with blobs in an S3 bucket, thumbnails are made from the bucket and kept in it', async () => {
  const s3 = await startS3rver('thumbnails');
  const server = await startTestServer(s3.flags, { env: s3.env });
  try {
    const done = await generate(server, { prompt: 'thumbnails in a bucket', aspect_ratio: '16:9' });
    const video = await generate(server, { prompt: 'a video in a bucket', model: 'ray-3.2', type: 'video', video: { resolution: '360p' } });
    const page = await (await server.call('GET', '/v1/generations')).json();
    for (const [id, side] of [[done.id, 384], [video.id, 360]] as const) {
      const thumb = await download(page.thumbnails[id][0]);
      const meta = await sharp(thumb).metadata();
      assert.equal(Math.min(meta.width!, meta.height!), side);
      const ext = id === video.id ? 'mp4' : 'png';
      const kept = fs.readdirSync(s3.dir, { recursive: true }).map(String).filter((f) => f.includes(`${id}/output-0.${ext}.thumb-384.webp`));
      assert.ok(kept.length > 0, 'kept in the bucket');
    }
    assert.equal(fs.existsSync(path.join(server.dataDir, 'blobs')), false, 'nothing in the data dir');
  } finally {
    await server.close();
    await s3.close();
  }
});
