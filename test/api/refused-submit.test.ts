import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { pino } from 'pino';
import { sql } from 'kysely';
import { DebrisSweeper } from '../../src/jobs/index.js';
import { timeOrderedId } from '../../src/store/index.js';
import { solidImage } from '../helpers/images.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const ADMIN = 'admin-token-for-refused-submit-tests';

/** Every file under the data dir's `blobs/inputs`, relative to it. */
function inputFiles(ts: TestServer): string[] {
  const root = path.join(ts.dataDir, 'blobs', 'inputs');
  return fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile()) : [];
}

/**
 * Serves one PNG, answering nobody until `count` requests are waiting: every submit of a race has
 * passed its early checks and is fetching before any of them gets to its transaction.
 */
async function barrierImage(png: Buffer, count: number) {
  const waiting: http.ServerResponse[] = [];
  const server = http.createServer((_req, res) => {
    waiting.push(res);
    if (waiting.length % count === 0) for (const r of waiting.splice(0)) r.writeHead(200, { 'content-type': 'image/png' }).end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ref.png`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a refused submit leaves no byte behind', () => {
  let png: Buffer;
  before(async () => {
    png = await solidImage(640, 480);
  });

  const twoRefs = (second: object) => ({
    prompt: 'p',
    image_ref: [{ data: png.toString('base64'), media_type: 'image/png' }, second],
  });

  test('a bad later ref is refused, its first input removed, and its RPM slot stays spent', async () => {
    const ts = await startTestServer({ workers: '0', rpm: '2' });
    try {
      const bad = await ts.call('POST', '/v1/generations', { body: twoRefs({ data: '!!!!', media_type: 'image/png' }) });
      assert.equal(bad.status, 422);
      assert.deepEqual(await bad.json(), { detail: 'image_ref[1]: invalid base64 data' });
      const unfetchable = await ts.call('POST', '/v1/generations', { body: twoRefs({ url: 'http://127.0.0.1:9/none.png' }) });
      assert.equal(unfetchable.status, 422);
      assert.deepEqual(inputFiles(ts), []);
      const third = await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } });
      assert.equal(third.status, 429, 'both refused submits used their RPM slot');
      assert.deepEqual(await third.json(), { detail: 'Rate limit exceeded' });
    } finally {
      await ts.close();
    }
  });

  /** Three submits race with a URL input; the refused ones must leave only the winner's inputs. */
  async function race(ts: TestServer, body: (url: string) => object, refusal: { status: number; detail: RegExp }) {
    const image = await barrierImage(png, 3);
    try {
      const responses = await Promise.all([0, 1, 2].map(() => ts.call('POST', '/v1/generations', { body: body(image.url) })));
      const results = await Promise.all(responses.map(async (res) => ({ status: res.status, body: await res.json() })));
      const accepted = results.filter((r) => r.status === 201);
      assert.equal(accepted.length, 1, JSON.stringify(results));
      for (const r of results.filter((r) => r.status !== 201)) {
        assert.equal(r.status, refusal.status);
        assert.match(r.body.detail, refusal.detail);
      }
      assert.deepEqual(inputFiles(ts), [`${accepted[0].body.id}/image_ref-0`]);
    } finally {
      await image.close();
    }
  }

  test('402 (balance), 402 (user budget) and 429 (concurrency) found in the transaction remove the inputs', async () => {
    const ts = await startTestServer({ workers: '0', credits: '0.05', adminToken: ADMIN });
    try {
      await race(ts, (url) => ({ prompt: 'p', image_ref: [{ url }] }), { status: 402, detail: /^Insufficient credits/ });
    } finally {
      await ts.close();
    }

    const budgeted = await startTestServer({ workers: '0', adminToken: ADMIN });
    try {
      const clients = await (await fetch(`${budgeted.url}/admin/v1/clients`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
      for (const client of clients.data) {
        const put = await fetch(`${budgeted.url}/admin/v1/clients/${client.id}/budgets/user-1`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ period: 'day', limit_usd: 0.05 }),
        });
        assert.equal(put.status, 200, await put.text());
      }
      await race(budgeted, (url) => ({ prompt: 'p', user_id: 'user-1', image_ref: [{ url }] }), { status: 402, detail: /^User budget exceeded/ });
    } finally {
      await budgeted.close();
    }

    const limited = await startTestServer({ workers: '0', maxConcurrent: '1' });
    try {
      await race(limited, (url) => ({ prompt: 'p', image_ref: [{ url }] }), { status: 429, detail: /^Too many concurrent jobs$/ });
    } finally {
      await limited.close();
    }
  });

  test('a store error at insert removes the inputs', async () => {
    const ts = await startTestServer({ workers: '0' });
    try {
      await sql`CREATE TRIGGER refuse_inserts BEFORE INSERT ON generations BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`.execute(ts.server.store.db);
      const res = await ts.call('POST', '/v1/generations', { body: twoRefs({ data: png.toString('base64'), media_type: 'image/png' }) });
      assert.equal(res.status, 500);
      assert.deepEqual(inputFiles(ts), []);
    } finally {
      await ts.close();
    }
  });
});

describe('debris left by a killed process is swept', () => {
  test('at start: inputs of no generation, old temp files, empty folders and scratch of ended jobs go; live things and a fresh submit\'s scratch stay', async () => {
    const dataDir = tempDir();
    let ts = await startTestServer({ dataDir, workers: '0' });
    const kept = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', image_ref: [{ data: (await solidImage(8, 8)).toString('base64'), media_type: 'image/png' }] } });
    const keptId = (await kept.json()).id as string;
    await ts.server.store.db.updateTable('generations').set({ state: 'completed', output: '[]' }).where('id', '=', keptId).execute();
    await ts.close();

    const blobs = path.join(dataDir, 'blobs');
    const hourAgo = (Date.now() - 2 * 3600_000) / 1000;
    const make = (file: string, old: boolean) => {
      fs.mkdirSync(file.endsWith('/') ? file : path.dirname(file), { recursive: true });
      if (!file.endsWith('/')) fs.writeFileSync(file, 'x');
      if (old) fs.utimesSync(file, hourAgo, hourAgo);
      return file;
    };
    const orphan = make(path.join(blobs, 'inputs', timeOrderedId(Date.now() - 2 * 3600_000), 'image_ref-0'), true);
    const freshOrphan = make(path.join(blobs, 'inputs', timeOrderedId(Date.now()), 'image_ref-0'), false);
    const oldTemp = make(path.join(blobs, 'outputs', 'x', 'image-0.png.0123456789ab.tmp'), true);
    const freshTemp = make(path.join(blobs, 'outputs', 'y', 'image-0.png.ba9876543210.tmp'), false);
    const emptyFolder = make(path.join(blobs, 'files', timeOrderedId(Date.now() - 2 * 3600_000)) + '/', true);
    const endedScratch = make(path.join(dataDir, 'scratch', `${keptId}.abc123`, 'part.mp4'), false);
    const unknownScratch = make(path.join(dataDir, 'scratch', `${timeOrderedId(Date.now() - 2 * 3600_000)}.def456`, 'part.mp4'), false);
    // A submit still probing its video source: its generation is not stored yet.
    const probingScratch = make(path.join(dataDir, 'scratch', `${timeOrderedId(Date.now())}.fed654`, 'source-0'), false);

    ts = await startTestServer({ dataDir, workers: '0' });
    try {
      const gone = [orphan, oldTemp, emptyFolder, path.dirname(endedScratch), path.dirname(unknownScratch), path.dirname(orphan)];
      const deadline = Date.now() + 5000;
      while (gone.some((f) => fs.existsSync(f)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const file of gone) assert.equal(fs.existsSync(file), false, file);
      for (const file of [freshOrphan, freshTemp, probingScratch, path.join(blobs, 'inputs', keptId, 'image_ref-0')]) assert.ok(fs.existsSync(file), file);
    } finally {
      await ts.close();
    }
  });

  test('a scratch folder of a generation still processing stays', async () => {
    const ts = await startTestServer({ workers: '0' });
    try {
      const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } })).json();
      const scratchDir = path.join(ts.dataDir, 'scratch');
      fs.mkdirSync(path.join(scratchDir, `${created.id}.live`), { recursive: true });
      const sweeper = new DebrisSweeper({
        store: ts.server.store,
        blobs: { listChildren: async () => [], sweepDebris: async () => 0 } as never,
        clock: { now: () => Date.now() } as never,
        logger: pino({ level: 'silent' }),
        scratchDir,
        intervalMs: 60_000,
        graceMs: 3600_000,
      });
      assert.equal(await sweeper.sweep(), 0);
      assert.ok(fs.existsSync(path.join(scratchDir, `${created.id}.live`)));
    } finally {
      await ts.close();
    }
  });
});
