import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { postgresSchema, postgresSkip, POSTGRES_URL } from '../helpers/dialects.js';
import { solidImage } from '../helpers/images.js';
import { spawnRole, stopProcesses, type ServerProcess } from '../helpers/process.js';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { startS3rver } from '../helpers/s3rver.js';
import { KEY_A } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

/** 300 generations in all, as #15 asks: images, plus a few videos and file uploads. */
const VIDEOS = 3;
const FILES = 3;
const IMAGES = 300 - VIDEOS - FILES;
const CREDITS_USD = 1000;

const auth = { authorization: `Bearer ${KEY_A}` };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pgSkip = await postgresSkip();

test(
  '2 api + 3 worker processes on one Postgres and one S3 bucket, no shared disk: workers killed -9 and restarted, every generation ends exactly once, every output serves from either API, the ledger balances',
  { skip: pgSkip, timeout: 360_000 },
  async () => {
    const db = await postgresSchema();
    const s3 = await startS3rver('scale');
    const bucket = new S3BlobStore({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, urls: 'presigned' });
    // Each process has a data dir of its own (its scratch); blobs and the URL secret are shared through the bucket and the database.
    const dataDirs: string[] = [];
    const dataDir = () => {
      dataDirs.push(tempDir());
      return dataDirs[dataDirs.length - 1];
    };
    const env = {
      ...s3.env,
      DATABASE_URL: db.url,
      ATELIER_API_KEYS: KEY_A,
      ATELIER_CREDITS: String(CREDITS_USD),
      ATELIER_RPM: '0',
      ATELIER_MAX_CONCURRENT: '0',
      ATELIER_LEASE_MS: '1500',
      ATELIER_POLL_INTERVAL_MS: '200',
      ATELIER_MAX_ATTEMPTS: '20',
      ATELIER_HEARTBEAT_MS: '500',
    };
    const workerArgs = () => ['--data-dir', dataDir(), '--workers', '2'];
    const apis: ServerProcess[] = [];
    const workers: ServerProcess[] = [];
    let killing = true;
    let kills = 0;
    let chaos: Promise<void> = Promise.resolve();
    try {
      // The first API hands out the bucket's presigned URLs, the second its own, streamed from the bucket.
      apis.push(await spawnRole('api', ['--data-dir', dataDir()], env));
      const [second, ...started] = await Promise.all([
        spawnRole('api', ['--data-dir', dataDir(), '--blob-urls', 'proxy'], env),
        ...[1, 2, 3].map(() => spawnRole('worker', workerArgs(), env)),
      ]);
      apis.push(second);
      workers.push(...started);

      // Kill -9 a random worker every few seconds and start a new one in its place.
      chaos = (async () => {
        while (killing) {
          await sleep(2500);
          if (!killing) break;
          const i = Math.floor(Math.random() * workers.length);
          workers[i].child.kill('SIGKILL');
          await workers[i].exited;
          kills++;
          workers[i] = await spawnRole('worker', workerArgs(), env);
        }
      })();

      const post = async (api: ServerProcess, body: object) => {
        const res = await fetch(`${api.url}/v1/generations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const created = await res.json();
        const errors = () => api.lines.filter((l) => /rror/.test(l)).slice(-3).join('\n');
        if (res.status === 500) await sleep(500); // its log line may arrive after the response
        assert.equal(res.status, 201, `${JSON.stringify(created)}\n${res.status === 500 ? errors() : ''}`);
        return created.id as string;
      };
      // Through the first API: a presigned PUT to the bucket, completed on the second; through the second: multipart.
      const uploadFile = async (api: ServerProcess, i: number) => {
        const png = await solidImage(32 + i, 24);
        let body;
        if (api === apis[0]) {
          const created = await fetch(`${api.url}/v1/files`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ mime_type: 'image/png', size_bytes: png.length }) });
          body = await created.json();
          assert.ok(body.upload.url.startsWith(`${s3.endpoint}/`), body.upload.url);
          assert.equal((await fetch(body.upload.url, { method: 'PUT', headers: body.upload.headers, body: new Uint8Array(png) })).status, 200);
          assert.equal((await fetch(`${apis[1].url}/v1/files/${body.id}/complete`, { method: 'POST', headers: auth })).status, 200);
        } else {
          const form = new FormData();
          form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), `ref-${i}.png`);
          const res = await fetch(`${api.url}/v1/files`, { method: 'POST', body: form, headers: auth });
          body = await res.json();
          assert.equal(res.status, 201, JSON.stringify(body));
        }
        for (;;) {
          const file = await (await fetch(`${api.url}/v1/files/${body.id}`, { headers: auth })).json();
          if (file.state !== 'pending') {
            assert.equal(file.state, 'ready');
            return body.id as string;
          }
          await sleep(100);
        }
      };

      const fileIds = await Promise.all(Array.from({ length: FILES }, (_, i) => uploadFile(apis[i % 2], i)));
      const bodies: object[] = [
        ...Array.from({ length: IMAGES }, (_, i) => ({ prompt: `scale image ${i}`, aspect_ratio: i % 2 ? '1:1' : '16:9' })),
        ...Array.from({ length: VIDEOS }, (_, i) => ({ prompt: `scale video ${i}`, model: 'ray-3.2', type: 'video', video: { resolution: '540p', duration: '5s' } })),
        ...fileIds.map((id, i) => ({ prompt: `scale edit ${i}`, type: 'image_edit', source: { file_id: id } })),
      ];
      const ids: string[] = [];
      for (let i = 0; i < bodies.length; i += 20) ids.push(...(await Promise.all(bodies.slice(i, i + 20).map((b, j) => post(apis[(i + j) % 2], b)))));

      const deadline = Date.now() + 180_000;
      let pending = new Set(ids);
      while (pending.size > 0) {
        assert.ok(Date.now() < deadline, `${pending.size} generations still running`);
        await sleep(500);
        const rows = await Promise.all([...pending].slice(0, 100).map((id) => fetch(`${apis[0].url}/v1/generations/${id}`, { headers: auth }).then((r) => r.json())));
        for (const g of rows) if (g.state === 'completed' || g.state === 'failed') pending.delete(g.id);
      }
      killing = false;
      await chaos;
      assert.ok(kills >= 2, `only ${kills} workers were killed`);

      // Every output serves its bytes through a URL minted by either API: the bucket's presigned GET,
      // or the proxy's signed URL, which the other API verifies too (one secret).
      for (const [n, id] of ids.entries()) {
        const api = apis[n % 2];
        const g = await (await fetch(`${api.url}/v1/generations/${id}`, { headers: auth })).json();
        assert.equal(g.state, 'completed', `${id}: ${g.failure_code} ${g.failure_reason}`);
        assert.equal(g.output.length, 1);
        const url = g.output[0].url as string;
        assert.ok(url.startsWith(n % 2 ? `${apis[1].url}/v1/blobs/` : `${s3.endpoint}/${s3.bucket}/`), url);
        const bytes = await fetch(n % 4 === 1 ? url.replace(apis[1].url, apis[0].url) : url);
        assert.equal(bytes.status, 200);
        assert.ok((await bytes.arrayBuffer()).byteLength > 100);
        // Exactly one set of outputs in the bucket: a rerun after a kill rewrites the same keys.
        assert.equal((await bucket.listChildren(`generations/${id}`)).length, 1);
      }
      assert.equal(dataDirs.filter((dir) => fs.existsSync(path.join(dir, 'blobs'))).length, 0, 'no process kept blobs on its disk');

      const sql = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${db.schema}` });
      await sql.connect();
      try {
        assert.equal(Number((await sql.query('SELECT count(*) AS n FROM jobs')).rows[0].n), 0, 'no job is left behind');
        const perGeneration = await sql.query(
          `SELECT generation_id, count(*) FILTER (WHERE kind = 'hold') AS holds, count(*) FILTER (WHERE kind = 'capture') AS captures,
                  count(*) FILTER (WHERE kind = 'refund') AS refunds FROM ledger WHERE generation_id IS NOT NULL GROUP BY generation_id`,
        );
        assert.equal(perGeneration.rows.length, ids.length);
        for (const row of perGeneration.rows) {
          assert.deepEqual([Number(row.holds), Number(row.captures), Number(row.refunds)], [1, 1, 0], `ledger of ${row.generation_id}`);
        }
        const [client] = (await sql.query('SELECT id, balance_micros FROM clients')).rows;
        const sums = (await sql.query(`SELECT kind, sum(amount_micros) AS total FROM ledger WHERE client_id = $1 GROUP BY kind`, [client.id])).rows;
        const total = (kind: string) => Number(sums.find((s) => s.kind === kind)?.total ?? 0);
        assert.equal(total('credit'), CREDITS_USD * 1_000_000);
        const charged = Number((await sql.query('SELECT sum(price_micros) AS n FROM generations')).rows[0].n);
        assert.equal(Number(client.balance_micros), total('credit') - charged, 'balance = credits − captures, no open hold');
        assert.equal(Number(client.balance_micros), total('credit') + total('hold') + total('refund'));
      } finally {
        await sql.end();
      }
    } finally {
      killing = false;
      await chaos.catch(() => undefined);
      await stopProcesses([...apis, ...workers]);
      await db.drop();
      bucket.close();
      await s3.close();
      for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
