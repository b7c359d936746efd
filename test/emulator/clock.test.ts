import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { spawnServer } from '../helpers/process.js';
import { generate, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { isoSeconds } from '../../src/clock.js';

const ADMIN = 'clock-admin-token';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.resolve(HERE, '../../../src');
const CLI = path.resolve(HERE, '../../src/cli/atelier.js');

test('nothing in src/ reads the time except src/clock.ts', () => {
  const files = (function walk(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  })(SRC).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 50, `found the sources in ${SRC}`);
  const offenders = files
    .filter((f) => path.relative(SRC, f) !== 'clock.ts')
    .flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${path.relative(SRC, f)}:${i + 1}`, line }))
        .filter(({ line }) => /Date\.now\(|new Date\(\s*\)|performance\.now\(/.test(line)),
    );
  assert.deepEqual(offenders, []);
});

test('isoSeconds is the ISO instant to the second, across days and years', () => {
  const instants = [0, 951_782_400_000, 1_775_649_599_999, 1_775_649_600_000, 1_775_735_999_999, 4_102_444_799_000];
  for (let i = 0, ms = 1; i < 2000; i++) instants.push((ms = (ms * 48_271) % 2_147_483_647) * 1_999);
  for (const ms of instants) assert.equal(isoSeconds(ms), new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'), `at ${ms}`);
});

describe('--clock virtual', () => {
  let ts: TestServer;
  const advance = (seconds: unknown, key: string | null = ADMIN) => ts.call('POST', '/admin/v1/clock/advance', { key, body: { seconds } });
  before(async () => {
    ts = await startTestServer({ workers: '2', clock: 'virtual', adminToken: ADMIN, rpm: '2', maxConcurrent: '0' });
  });
  after(() => ts.close());

  test('stands still until advanced; the admin API shows and moves it', async () => {
    const before = await (await ts.call('GET', '/admin/v1/clock', { key: ADMIN })).json();
    assert.equal(before.virtual, true);
    const res = await advance(90);
    assert.equal(res.status, 200);
    const moved = await res.json();
    assert.equal(moved.now_ms, before.now_ms + 90_000);
    assert.equal((await (await ts.call('GET', '/admin/v1/clock', { key: ADMIN })).json()).now_ms, moved.now_ms);
  });

  test('advancing needs the admin token and a number of seconds ≥ 0', async () => {
    assert.equal((await advance(10, null)).status, 401);
    assert.equal((await advance(-1)).status, 400);
    assert.equal((await advance('soon')).status, 400);
  });

  test('a signed blob URL expires once the clock passes its hour; a fresh GET mints a working one', async () => {
    const done = await generate(ts, { prompt: 'expiring url', aspect_ratio: '1:3' });
    const url = done.output[0].url;
    assert.equal((await fetch(url)).status, 200);
    await advance(3599);
    assert.equal((await fetch(url)).status, 200);
    await advance(2);
    const expired = await fetch(url);
    assert.equal(expired.status, 403);
    assert.deepEqual(await expired.json(), { detail: 'Signed URL has expired' });
    const again = await (await ts.call('GET', `/v1/generations/${done.id}`)).json();
    assert.equal((await fetch(again.output[0].url)).status, 200);
  });

  test('the RPM window slides with the virtual clock', async () => {
    await advance(61);
    const post = () => ts.call('POST', '/v1/generations', { body: { prompt: 'rpm', aspect_ratio: '1:3' } });
    assert.equal((await post()).status, 201);
    assert.equal((await post()).status, 201);
    const refused = await post();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '60');
    await advance(59);
    assert.equal((await post()).status, 429);
    await advance(1);
    assert.equal((await post()).status, 201);
  });
});

test('concurrency slots are pruned after an hour of virtual time', async () => {
  const ts = await startTestServer({ workers: '0', clock: 'virtual', adminToken: ADMIN, maxConcurrent: '1' });
  try {
    const post = () => ts.call('POST', '/v1/generations', { body: { prompt: 'never runs' } });
    assert.equal((await post()).status, 201);
    const refused = await post();
    assert.equal(refused.status, 429);
    assert.deepEqual(await refused.json(), { detail: 'Too many concurrent jobs' });
    await ts.call('POST', '/admin/v1/clock/advance', { key: ADMIN, body: { seconds: 3601 } });
    assert.equal((await post()).status, 201);
  } finally {
    await ts.close();
  }
});

test('the system clock cannot be advanced: 409 with the flag to use', async () => {
  const ts = await startTestServer({ workers: '0', adminToken: ADMIN });
  try {
    const res = await ts.call('POST', '/admin/v1/clock/advance', { key: ADMIN, body: { seconds: 1 } });
    assert.equal(res.status, 409);
    assert.deepEqual(await res.json(), { detail: 'The clock is not virtual: start the server with --clock virtual to move it' });
  } finally {
    await ts.close();
  }
});

test('atelier clock advance 3600 moves a running server, and expires its URLs', { timeout: 60_000 }, async () => {
  const key = 'luma-api-clock-cli-0123456789abcdef';
  const server = await spawnServer(['--data-dir', tempDir(), '--clock', 'virtual', '--workers', '1'], { ATELIER_ADMIN_TOKEN: ADMIN, ATELIER_API_KEYS: key });
  const run = promisify(execFile);
  const env = { ...process.env, ATELIER_ADMIN_TOKEN: ADMIN, ATELIER_URL: server.url };
  try {
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const created = await (await fetch(`${server.url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'cli clock', aspect_ratio: '1:3' }) })).json();
    let done = created;
    while (done.state !== 'completed') {
      await new Promise((r) => setTimeout(r, 50));
      done = await (await fetch(`${server.url}/v1/generations/${created.id}`, { headers })).json();
      assert.notEqual(done.state, 'failed');
    }
    const before = JSON.parse((await run(process.execPath, [CLI, 'clock', 'now'], { env })).stdout);
    const after = JSON.parse((await run(process.execPath, [CLI, 'clock', 'advance', '3600'], { env })).stdout);
    assert.equal(after.now_ms - before.now_ms, 3_600_000);
    assert.equal((await fetch(done.output[0].url)).status, 403);
    await assert.rejects(run(process.execPath, [CLI, 'clock', 'advance', 'later'], { env }), (err: { code: number }) => err.code === 2);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});
