import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { solidImage } from '../helpers/images.js';
import { download, generate, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';

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

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const INPUT_FAILURES = new Set(['corrupt_input', 'unsupported_format', 'image_too_large']);

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
  switch (rng.int(5)) {
    case 0:
      body.source.data = mutateBytes(rng, png).toString('base64');
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

describe('fuzzing POST /v1/generations', () => {
  let ts: TestServer;
  let png: Buffer;
  before(async () => {
    ts = await startTestServer({ workers: '2' });
    png = await solidImage(12, 10);
  });
  after(() => ts.close());

  test(`${ITERATIONS} damaged bodies: no 500, no crash, earlier work intact`, async () => {
    const earlier = await generate(ts, { prompt: 'before the storm', type: 'image_edit', source: { data: png.toString('base64'), media_type: 'image/png' } });
    assert.equal(earlier.state, 'completed');
    const earlierBytes = await download(earlier.output[0].url);

    const rng = random(SEED);
    const accepted = new Map<string, string>();
    const statuses = new Map<number, number>();
    const batch = 8;
    for (let i = 0; i < ITERATIONS; i += batch) {
      const bodies = Array.from({ length: Math.min(batch, ITERATIONS - i) }, () => fuzzBody(rng, png));
      await Promise.all(
        bodies.map(async (body) => {
          const res = await ts.call('POST', '/v1/generations', { body });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.ok(res.status < 500, `status ${res.status} for ${body.slice(0, 300)}: ${text}`);
          assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
          const json = JSON.parse(text);
          if (res.status === 201) accepted.set(json.id, body);
          else assert.equal(typeof json.detail, 'string');
        }),
      );
    }

    for (const [id, body] of accepted) {
      const done = await waitForGeneration(ts, id, undefined, 60_000);
      if (done.state === 'failed') assert.ok(INPUT_FAILURES.has(done.failure_code), `${done.failure_code}: ${done.failure_reason} for ${body}`);
    }
    assert.ok((statuses.get(201) ?? 0) > 0 && [...statuses.keys()].some((s) => s >= 400), `a mix of outcomes: ${[...statuses]}`);

    assert.equal((await fetch(`${ts.url}/healthz`)).status, 200);
    const again = await (await ts.call('GET', `/v1/generations/${earlier.id}`)).json();
    assert.equal(again.state, 'completed');
    assert.ok((await download(again.output[0].url)).equals(earlierBytes));
  });
});
