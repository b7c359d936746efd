import assert from 'node:assert/strict';
import { test } from 'node:test';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { runCli } from '../helpers/cli.js';
import { postgresSchema, postgresSkip } from '../helpers/dialects.js';
import { solidImage } from '../helpers/images.js';
import { spawnServer, stopProcesses, type ServerProcess } from '../helpers/process.js';
import { startS3rver } from '../helpers/s3rver.js';
import { KEY_A } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const auth = { authorization: `Bearer ${KEY_A}` };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pgSkip = await postgresSkip();

async function get(server: ServerProcess, route: string): Promise<any> {
  return (await fetch(server.url + route, { headers: auth })).json();
}

async function submit(server: ServerProcess, body: object): Promise<any> {
  const res = await fetch(`${server.url}/v1/generations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const created = await res.json();
  assert.equal(res.status, 201, JSON.stringify(created));
  for (;;) {
    const g = await get(server, `/v1/generations/${created.id}`);
    if (g.state === 'completed' || g.state === 'failed') return g;
    await sleep(100);
  }
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return Buffer.from(await res.arrayBuffer());
}

const withoutUrls = (g: any) => ({ ...g, output: g.output.map(({ url: _, ...o }: any) => o) });

test(
  'atelier migrate --blobs s3 streams the blobs into the bucket: a Postgres and S3 server on an empty data dir serves old outputs and edits an old upload; a second run copies nothing; an object of another size under a blob key is refused',
  { skip: pgSkip, timeout: 240_000 },
  async () => {
    const s3 = await startS3rver();
    const db = await postgresSchema();
    const dataDir = tempDir('atelier-migrate-');
    const env = { ATELIER_API_KEYS: KEY_A, ATELIER_RPM: '0', ATELIER_MAX_CONCURRENT: '0', ATELIER_POLL_INTERVAL_MS: '100' };
    const running: ServerProcess[] = [];
    const migrate = (args: string[], extra: NodeJS.ProcessEnv = s3.env) => runCli('atelier', ['migrate', '--from', dataDir, '--to', db.url, ...args], { env: extra });
    try {
      const embedded = await spawnServer(['--data-dir', dataDir], env);
      running.push(embedded);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(await solidImage(48, 32))], { type: 'image/png' }), 'ref.png');
      const uploaded = await (await fetch(`${embedded.url}/v1/files`, { method: 'POST', headers: auth, body: form })).json();
      let file: any;
      do file = await get(embedded, `/v1/files/${uploaded.id}`);
      while (file.state === 'pending' && (await sleep(50), true));
      assert.equal(file.state, 'ready');
      const image = await submit(embedded, { prompt: 'a red kite over the dunes' });
      assert.equal(image.state, 'completed');
      const oldUrl = new URL(image.output[0].url);
      const bytes = await download(oldUrl.href);
      running.pop();
      // A drain may wait on its job pool under a loaded CI machine: give it that time, and say what it did.
      assert.deepEqual(await stopProcesses([embedded], 60_000), [0], embedded.lines.slice(-10).join('\n'));

      const unsure = await migrate([]);
      assert.equal(unsure.code, 2);
      assert.match(unsure.stderr, /a bucket is set \(atelier\), so the target will look for blobs there: pass --blobs s3/);

      const first = await migrate(['--blobs', 's3']);
      assert.equal(first.code, 0, first.stderr + first.stdout);
      const copied = /Blobs: (\d+) \(.*\) into s3:\/\/atelier: (\d+) copied, 0 already there\./.exec(first.stdout);
      assert.ok(copied && Number(copied[1]) >= 2 && copied[1] === copied[2], first.stdout);
      const second = await migrate(['--blobs', 's3']);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, new RegExp(`Nothing to change: the target already holds all \\d+ rows and ${copied[1]} blobs`));

      // A data dir of its own, empty: every blob it serves comes from the bucket.
      const moved = await spawnServer(['--data-dir', tempDir('atelier-migrate-empty-')], { ...env, ...s3.env, DATABASE_URL: db.url });
      running.push(moved);
      const after = await get(moved, `/v1/generations/${image.id}`);
      assert.deepEqual(withoutUrls(after), withoutUrls(image));
      assert.ok((await download(after.output[0].url)).equals(bytes), 'the presigned URL of the bucket serves the output');
      assert.ok((await download(moved.url + oldUrl.pathname + oldUrl.search)).equals(bytes), 'a URL minted before the move still serves it');
      const edit = await submit(moved, { prompt: 'the reference, in winter', type: 'image_edit', source: { file_id: uploaded.id } });
      assert.equal(edit.state, 'completed', `${edit.failure_code} ${edit.failure_reason}`);
      running.pop();
      assert.deepEqual(await stopProcesses([moved]), [0]);

      const bucket = new S3BlobStore({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, urls: 'presigned' });
      await bucket.put(decodeURIComponent(oldUrl.pathname.replace('/v1/blobs/', '')), Buffer.from('not the image'));
      bucket.close();
      const clash = await migrate(['--blobs', 's3']);
      assert.equal(clash.code, 1, clash.stdout);
      assert.match(clash.stderr, /the bucket holds 1 blobs under the same keys with other sizes .*no rows were written/);
    } finally {
      await stopProcesses(running);
      await db.drop();
      await s3.close();
    }
  },
);
