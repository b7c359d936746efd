import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Pool } from 'undici';
import { solidImage } from '../helpers/images.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { KEY_A, tempDir } from '../helpers/server.js';

/** Mulberry32: a small seeded PRNG, so a failing run can be replayed with the same seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)] };
}

type Rng = ReturnType<typeof random>;

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 10_000);
const FILE_ITERATIONS = Number(process.env.FUZZ_FILE_ITERATIONS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
// content_moderated: a damaged prompt can spell a blocked word.
const INPUT_FAILURES = new Set(['corrupt_input', 'unsupported_format', 'image_too_large', 'content_moderated']);

/** Damages image bytes the ways files get damaged: flipped bytes, cuts, splices, repeats. */
function mutateBytes(rng: Rng, original: Buffer): Buffer {
  const bytes = Buffer.from(original);
  switch (rng.int(6)) {
    case 0:
      for (let i = 0, n = 1 + rng.int(8); i < n; i++) bytes[rng.int(bytes.length)] = rng.int(256);
      return bytes;
    case 1:
      return bytes.subarray(0, rng.int(bytes.length));
    case 2: {
      const at = rng.int(bytes.length);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(Array.from({ length: 1 + rng.int(64) }, () => rng.int(256))), bytes.subarray(at)]);
    }
    case 3: {
      const at = rng.int(bytes.length);
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + rng.int(200)), bytes.subarray(at)]);
    }
    case 4:
      // Header fields (IHDR width and height live at 16–23) take extreme values.
      bytes.writeUInt32BE(rng.pick([0, 1, 0x7fffffff, 0xffffffff, 65535, 100_000]), rng.pick([16, 20]));
      return bytes;
    default:
      return Buffer.from(Array.from({ length: rng.int(300) }, () => rng.int(256)));
  }
}

const WEIRD: unknown[] = [null, 0, -1, 1e308, true, '', 'x'.repeat(7000), '\u0000', '💥', [], {}, [1, 2], { url: 'x' }, '9999-99-99'];
const FIELDS = ['prompt', 'model', 'type', 'aspect_ratio', 'image_ref', 'source', 'style', 'output_format', 'web_search', 'user_id', 'video', 'layering'];
const REF_FIELDS = ['url', 'data', 'media_type', 'generation_id', 'file_id'];

/** One request body: a valid edit of `png`, then damaged at one of several levels. */
function fuzzBody(rng: Rng, png: Buffer): string {
  const body: Record<string, any> = { prompt: 'fuzz', type: 'image_edit', source: { data: png.toString('base64'), media_type: 'image/png' } };
  switch (rng.int(7)) {
    case 0:
      body.source.data = mutateBytes(rng, png).toString('base64');
      break;
    case 5:
      // Unknown fields at every depth, some large enough that the body is parsed off the main thread.
      body.source[rng.pick(['junk', '__proto__', 'constructor', 'data2'])] = rng.int(20) === 0 ? 'x'.repeat(300_000) : rng.pick(WEIRD);
      body[rng.pick(['junk', 'video', 'layering'])] = { source_position: { x_norm: 0, junk: 1 }, edit: { controls: { junk: [] } } };
      break;
    case 6:
      // A large data string: decoded in the worker, damaged or not.
      body.image_ref = [{ data: rng.int(2) ? 'A'.repeat(400_000) : Buffer.alloc(300_000, rng.int(256)).toString('base64') + rng.pick(['', '=', '!', ' ']), media_type: 'image/png' }];
      break;
    case 1: {
      const text: string = body.source.data;
      const at = rng.int(text.length);
      body.source.data = text.slice(0, at) + rng.pick(['=', '-', '_', ' ', '\n', '%', 'A', '==', '']) + text.slice(at + rng.int(3));
      break;
    }
    case 2:
      body[rng.pick(FIELDS)] = rng.pick(WEIRD);
      break;
    case 3:
      body.source[rng.pick(REF_FIELDS)] = rng.pick([...WEIRD, 'image/jpeg', 'video/mp4', 'https://127.0.0.1/x', '00000000-0000-0000-0000-000000000000']);
      if (rng.int(2)) body.image_ref = [body.source];
      break;
    default: {
      const text = JSON.stringify(body);
      const at = rng.int(text.length);
      return text.slice(0, at) + rng.pick(['"', '{', ']', ',', '\\', '\u0000', '']) + text.slice(at + 1);
    }
  }
  return JSON.stringify(body);
}

/** Every name under a data-dir folder (empty when it doesn't exist). */
const listed = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

/** Many requests at a time over one keep-alive pool; every answer is checked as it comes. */
async function storm<T>(count: number, make: (i: number) => T, send: (item: T) => Promise<void>, concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await send(make(next++));
    }),
  );
}

describe('fuzzing the request bodies', () => {
  let server: ServerProcess;
  let dataDir: string;
  let pool: Pool;
  let png: Buffer;
  // The server runs in a process of its own, so it and this load generator each have a core.
  before(async () => {
    dataDir = tempDir();
    server = await spawnServer(['--data-dir', dataDir, '--workers', '2', '--rpm', '0', '--max-concurrent', '0', '--allow-private-urls'], {
      ATELIER_API_KEYS: KEY_A,
      ATELIER_POLL_INTERVAL_MS: '50',
    });
    pool = new Pool(server.url, { connections: 16, headersTimeout: 20_000, bodyTimeout: 20_000 });
    png = await solidImage(12, 10);
  });
  after(async () => {
    await pool.close();
    server.child.kill('SIGKILL');
    await server.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: 'GET' | 'POST', route: string, body?: string | Buffer, contentType = 'application/json') => {
    const res = await pool
      .request({ method, path: route, body, headers: { authorization: `Bearer ${KEY_A}`, ...(body !== undefined ? { 'content-type': contentType } : {}) } })
      .catch((err: Error) => assert.fail(`${method} ${route}: ${err.message} for ${String(body).slice(0, 300)}`));
    return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), text: await res.body.text() };
  };
  const generation = async (id: string) => JSON.parse((await call('GET', `/v1/generations/${id}`)).text);
  /** Waits for each generation in turn: jobs run in submission order, so most are done when asked. */
  async function settled(ids: Iterable<string>): Promise<Map<string, any>> {
    const list = [...ids];
    const done = new Map<string, any>();
    const deadline = Date.now() + 120_000;
    await storm(list.length, (i) => list[i], async (id) => {
      for (;;) {
        const g = await generation(id);
        if (g.state === 'completed' || g.state === 'failed') return void done.set(id, g);
        assert.ok(Date.now() < deadline, `generation ${id} never finished`);
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    return done;
  }

  test(`${ITERATIONS} damaged generation bodies: no 5xx, no crash, earlier work intact, no input of a refused submit left`, async () => {
    const created = await call('POST', '/v1/generations', JSON.stringify({ prompt: 'before the storm', type: 'image_edit', source: { data: png.toString('base64'), media_type: 'image/png' } }));
    const earlierId = JSON.parse(created.text).id;
    const earlier = (await settled([earlierId])).get(earlierId);
    assert.equal(earlier.state, 'completed');
    const earlierBytes = Buffer.from(await (await fetch(earlier.output[0].url)).arrayBuffer());

    const rng = random(SEED);
    const startedAt = performance.now();
    const accepted = new Map<string, string>();
    const statuses = new Map<number, number>();
    await storm(ITERATIONS, () => fuzzBody(rng, png), async (body) => {
      const res = await call('POST', '/v1/generations', body);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `status ${res.status} for ${body.slice(0, 300)}: ${res.text}`);
      assert.match(res.type, /^application\/json/);
      const json = JSON.parse(res.text);
      if (res.status === 201) accepted.set(json.id, body);
      else assert.equal(typeof json.detail, 'string');
    });

    const submittedAt = performance.now();
    for (const [id, done] of await settled(accepted.keys())) {
      if (done.state === 'failed') assert.ok(INPUT_FAILURES.has(done.failure_code), `${done.failure_code}: ${done.failure_reason} for ${accepted.get(id)?.slice(0, 300)}`);
    }
    if (process.env.FUZZ_TIMING) console.error(`submits ${(submittedAt - startedAt).toFixed(0)} ms, jobs ${(performance.now() - submittedAt).toFixed(0)} ms, ${[...statuses]}`);
    assert.ok((statuses.get(201) ?? 0) > 0 && [...statuses.keys()].some((s) => s >= 400), `a mix of outcomes: ${[...statuses]}`);
    const strays = listed(path.join(dataDir, 'blobs', 'inputs')).filter((id) => id !== earlierId && !accepted.has(id));
    assert.deepEqual(strays, [], 'inputs of refused submits');

    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const again = await generation(earlierId);
    assert.equal(again.state, 'completed');
    assert.ok(Buffer.from(await (await fetch(again.output[0].url)).arrayBuffer()).equals(earlierBytes));
  });

  test(`${FILE_ITERATIONS} damaged file bodies, multipart and JSON: no 5xx, no folder of a refused upload left`, async () => {
    const rng = random(SEED + 1);
    const accepted = new Set<string>();
    const statuses = new Map<number, number>();
    await storm(FILE_ITERATIONS, () => fileBody(rng, png), async ({ body, contentType }) => {
      const res = await call('POST', '/v1/files', body, contentType);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `status ${res.status} for ${contentType} ${body.toString('latin1').slice(0, 300)}: ${res.text}`);
      const json = JSON.parse(res.text);
      if (res.status === 201) accepted.add(json.id);
      else assert.equal(typeof json.detail, 'string');
    });
    assert.ok((statuses.get(201) ?? 0) > 0 && [...statuses.keys()].some((s) => s >= 400), `a mix of outcomes: ${[...statuses]}`);
    const strays = listed(path.join(dataDir, 'blobs', 'files')).filter((id) => !accepted.has(id));
    assert.deepEqual(strays, [], 'folders of refused uploads');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });
});

const BOUNDARY = 'fuzzboundary';
const part = (name: string, value: Buffer | string, extra = '') =>
  Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n`), Buffer.from(value), Buffer.from('\r\n')]);

/** A file upload: a valid multipart or JSON body, then damaged. */
function fileBody(rng: Rng, png: Buffer): { body: Buffer; contentType: string } {
  if (rng.int(4) === 0) {
    const json: Record<string, unknown> = { mime_type: 'image/png', size_bytes: png.length };
    json[rng.pick(['mime_type', 'size_bytes', 'purpose', 'expires_at', 'filename', 'user_id', 'junk'])] = rng.pick([
      ...WEIRD,
      'video/mp4',
      'text/html',
      -271821,
      2 ** 53,
      '-271821-04-20T00:00:00Z',
      '+275760-09-13T00:00:00Z',
      '2099-01-01T00:00:00Z',
    ]);
    const text = JSON.stringify(json);
    const at = rng.int(text.length);
    return { body: Buffer.from(rng.int(3) ? text : text.slice(0, at) + rng.pick(['"', '{', '', '\u0000']) + text.slice(at + 1)), contentType: 'application/json' };
  }
  const fields = [part('purpose', rng.pick(['input', 'junk', ''])), part('file', rng.int(3) ? png : mutateBytes(rng, png), `; filename="${rng.pick(['a.png', '', '💥.png', 'x"y'])}"\r\nContent-Type: ${rng.pick(['image/png', 'application/octet-stream', 'text/plain', ''])}`)];
  let body = Buffer.concat([...fields, Buffer.from(`--${BOUNDARY}--\r\n`)]);
  let contentType = `multipart/form-data; boundary=${BOUNDARY}`;
  switch (rng.int(8)) {
    case 0:
      body = body.subarray(0, rng.int(body.length));
      break;
    case 1:
      contentType = rng.pick(['multipart/form-data', 'multipart/form-data; boundary=other', 'multipart/form-data; boundary=', 'multipart/mixed; boundary=x']);
      break;
    case 2:
      body = Buffer.from(Array.from({ length: rng.int(500) }, () => rng.int(256)));
      break;
    case 3:
      body = Buffer.concat([...Array.from({ length: 1 + rng.int(20) }, (_, i) => part(`f${i}`, 'v')), body]);
      break;
    case 4: {
      const at = rng.int(body.length);
      body = Buffer.concat([body.subarray(0, at), Buffer.from(rng.pick(['\r\n', '--', `--${BOUNDARY}`, '\u0000', 'Content-Disposition: x\r\n'])), body.subarray(at)]);
      break;
    }
    case 5:
      body = Buffer.concat([part('file', png, '; filename="b.png"\r\nContent-Type: image/png'), body]);
      break;
    default:
      break;
  }
  return { body, contentType };
}
