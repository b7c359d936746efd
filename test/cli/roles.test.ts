import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { postgresSchema, postgresSkip } from '../helpers/dialects.js';
import { solidImage } from '../helpers/images.js';
import { spawnRole, type ServerProcess } from '../helpers/process.js';
import { runCli } from '../helpers/cli.js';
import { KEY_A } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const auth = { authorization: `Bearer ${KEY_A}` };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function submit(api: ServerProcess, body: object): Promise<string> {
  const res = await fetch(`${api.url}/v1/generations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const created = await res.json();
  assert.equal(res.status, 201, JSON.stringify(created));
  return created.id;
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

const generation = (api: ServerProcess, id: string) => fetch(`${api.url}/v1/generations/${id}`, { headers: auth }).then((r) => r.json());

/** SIGTERM every process and check each drained to exit status 0. */
async function stopAll(processes: ServerProcess[]): Promise<void> {
  for (const p of processes) p.child.kill('SIGTERM');
  const codes = await Promise.all(processes.map((p) => p.exited));
  assert.deepEqual(codes, processes.map(() => 0), 'every role drains on SIGTERM and exits 0');
}

const pgSkip = await postgresSkip();

describe('atelier api and atelier worker on Postgres', { skip: pgSkip }, () => {
  test('a worker that only polls once a minute takes a submit at once (LISTEN/NOTIFY), and ingests an upload made on the API', { timeout: 90_000 }, async () => {
    const db = await postgresSchema();
    const dataDir = tempDir();
    const env = { DATABASE_URL: db.url, ATELIER_API_KEYS: KEY_A, ATELIER_RPM: '0', ATELIER_MAX_CONCURRENT: '0', ATELIER_POLL_INTERVAL_MS: '60000' };
    const started: ServerProcess[] = [];
    try {
      // The worker starts first: it must not need an API process (nor the keys) to come up.
      const worker = await spawnRole('worker', ['--data-dir', dataDir, '--workers', '2'], env);
      started.push(worker);
      const api = await spawnRole('api', ['--data-dir', dataDir], env);
      started.push(api);

      const listening = worker.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'atelier listening');
      assert.deepEqual({ role: listening.role, workers: listening.workers, store: listening.store }, { role: 'worker', workers: 2, store: 'postgres' });
      assert.equal((await fetch(`${worker.url}/healthz`)).status, 200);
      assert.match(await (await fetch(`${worker.url}/metrics`)).text(), /^atelier_queue_depth \d+$/m);
      assert.equal((await fetch(`${worker.url}/v1/generations`, { headers: auth })).status, 404, 'a worker serves no API');

      const submittedAt = Date.now();
      const id = await submit(api, { prompt: 'a lighthouse', type: 'image', aspect_ratio: '1:1' });
      const done = await until('generation', () => generation(api, id), (g) => g.state === 'completed' || g.state === 'failed');
      assert.equal(done.state, 'completed');
      assert.ok(Date.now() - submittedAt < 10_000, 'picked up long before the next poll');
      const image = await fetch(done.output[0].url);
      assert.equal(image.status, 200);

      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(await solidImage(20, 10))], { type: 'image/png' }), 'pic.png');
      const uploaded = await (await fetch(`${api.url}/v1/files`, { method: 'POST', body: form, headers: auth })).json();
      assert.equal(uploaded.state, 'pending');
      const file = await until(
        'file',
        () => fetch(`${api.url}/v1/files/${uploaded.id}`, { headers: auth }).then((r) => r.json()),
        (f) => f.state !== 'pending',
      );
      assert.equal(file.state, 'ready');

      // Admin commands on the data dir read the store the processes share, not a SQLite file of their own.
      const listed = await runCli('atelier', ['workers', '--data-dir', dataDir], { env: { DATABASE_URL: db.url } });
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(JSON.parse(listed.stdout).data.map((p: { role: string }) => p.role).sort(), ['api', 'worker']);
      assert.ok(!fs.existsSync(path.join(dataDir, 'atelier.db')), 'no SQLite store appears in the data dir');
      await stopAll(started.splice(0));
    } finally {
      for (const p of started) p.child.kill('SIGKILL');
      await Promise.all(started.map((p) => p.exited));
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

test('atelier api and atelier worker sharing one SQLite data dir: the API sees what the worker writes', { timeout: 90_000 }, async () => {
  const dataDir = tempDir();
  const env = { ATELIER_API_KEYS: KEY_A, ATELIER_RPM: '0', ATELIER_MAX_CONCURRENT: '0', ATELIER_POLL_INTERVAL_MS: '100' };
  const started: ServerProcess[] = [];
  try {
    const api = await spawnRole('api', ['--data-dir', dataDir], env);
    started.push(api);
    const first = await submit(api, { prompt: 'a harbour', type: 'image', aspect_ratio: '16:9' });
    assert.equal((await generation(api, first)).state, 'queued', 'no worker runs inside atelier api');
    started.push(await spawnRole('worker', ['--data-dir', dataDir], env));
    const done = await until('generation', () => generation(api, first), (g) => g.state === 'completed' || g.state === 'failed');
    assert.equal(done.state, 'completed');
    assert.equal((await fetch(done.output[0].url)).status, 200);
    await stopAll(started.splice(0));
  } finally {
    for (const p of started) p.child.kill('SIGKILL');
    await Promise.all(started.map((p) => p.exited));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('every process records a heartbeat: atelier workers lists them, what each runs, and which died or stopped', { timeout: 90_000 }, async () => {
  const dataDir = tempDir();
  const env = { ATELIER_API_KEYS: KEY_A, ATELIER_RPM: '0', ATELIER_MAX_CONCURRENT: '0', ATELIER_POLL_INTERVAL_MS: '50', ATELIER_HEARTBEAT_MS: '200', ATELIER_ADMIN_TOKEN: 'admin-secret' };
  const started: ServerProcess[] = [];
  const list = async (target: string[]) => {
    const result = await runCli('atelier', ['workers', ...target], { env: { ATELIER_ADMIN_TOKEN: 'admin-secret' } });
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout).data as any[];
  };
  try {
    const api = await spawnRole('api', ['--data-dir', dataDir], env);
    started.push(api);
    const worker = await spawnRole('worker', ['--data-dir', dataDir, '--workers', '3'], env);
    started.push(worker);
    const first = await list(['--url', api.url]);
    assert.deepEqual(first.map((p) => [p.role, p.alive, p.pid]).sort(), [['api', true, api.child.pid], ['worker', true, worker.child.pid]].sort());
    const workerRow = first.find((p) => p.role === 'worker');
    assert.equal(workerRow.worker_slots, 3);
    assert.match(workerRow.version, /^\d+\.\d+\.\d+/);
    assert.match(workerRow.started_at, /^\d{4}-\d\d-\d\dT/);

    // A video keeps a worker busy long enough to be seen running it.
    const id = await submit(api, { prompt: 'waves', model: 'ray-3.2', type: 'video', video: { resolution: '720p', duration: '5s' } });
    const busy = await until('heartbeat', () => list(['--url', api.url]), (rows) => rows.some((p) => p.role === 'worker' && p.running.includes(id)));
    assert.equal(busy.find((p) => p.role === 'worker').jobs_running, 1);
    await until('generation', () => generation(api, id), (g) => g.state === 'completed' || g.state === 'failed', 60_000);

    worker.child.kill('SIGKILL');
    await worker.exited;
    started.splice(started.indexOf(worker), 1);
    const dead = await until('heartbeat', () => list(['--url', api.url]), (rows) => rows.some((p) => p.role === 'worker' && !p.alive));
    assert.equal(dead.find((p) => p.role === 'worker').stopped_at, null, 'a killed worker never said it stopped: it went silent');
    await stopAll(started.splice(0));
    const after = await list(['--data-dir', dataDir]);
    const apiRow = after.find((p) => p.role === 'api');
    assert.equal(apiRow.alive, false);
    assert.match(apiRow.stopped_at, /^\d{4}-/, 'a drained process is marked stopped');
  } finally {
    for (const p of started) p.child.kill('SIGKILL');
    await Promise.all(started.map((p) => p.exited));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('start-up refusals are one line', () => {
  const refused = async (role: 'api' | 'worker', args: string[], env: NodeJS.ProcessEnv, pattern: RegExp) => {
    const error = await spawnRole(role, ['--data-dir', tempDir(), ...args], env).then(
      (p) => {
        p.child.kill('SIGKILL');
        return null;
      },
      (err: Error) => err,
    );
    assert.ok(error, `atelier ${role} ${args.join(' ')} started`);
    const [, status, stderr] = error.message.match(/exited with (\d+):\n([\s\S]*)$/) ?? [];
    assert.equal(status, '1', error.message);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0], pattern);
  };

  test('a worker with no job loops', { timeout: 30_000 }, () =>
    refused('worker', ['--workers', '0'], {}, /^atelier: atelier worker with --workers 0 \(ATELIER_WORKERS\) would run no jobs/));
  test('a store that cannot be reached, with its password hidden', { timeout: 30_000 }, () =>
    refused('worker', [], { DATABASE_URL: 'postgres://atelier:hunter2@127.0.0.1:1/atelier' }, /^atelier: cannot open the store at postgres:\/\/atelier:\*\*\*@127\.0\.0\.1:1\/atelier: .*ECONNREFUSED/));
});
