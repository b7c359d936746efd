import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresSchema, postgresSkip } from '../helpers/dialects.js';
import { spawnRole, stopProcesses, type ServerProcess } from '../helpers/process.js';
import { KEY_A } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const ADMIN = 'admin-token-shared-emulator';
const auth = { authorization: `Bearer ${KEY_A}` };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pgSkip = await postgresSkip();

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await sleep(20);
  }
}

const clockOf = (api: ServerProcess) => fetch(`${api.url}/admin/v1/clock`, { headers: { authorization: `Bearer ${ADMIN}` } }).then((r) => r.json());
const advance = (api: ServerProcess, seconds: number) =>
  fetch(`${api.url}/admin/v1/clock/advance`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
  }).then((r) => r.json());
const submit = (api: ServerProcess, body: object, fault?: string) =>
  fetch(`${api.url}/v1/generations`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', ...(fault ? { 'x-atelier-fault': fault } : {}) },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: await res.json() }));

/**
 * 2 api + 1 worker processes with `--clock virtual` on one store: the clock one API moves is the
 * other's and the worker's, and flaky:<n> fails exactly n tries whichever API each try reaches.
 */
async function sharedEmulator(env: NodeJS.ProcessEnv, dataDir: string): Promise<void> {
  const args = ['--data-dir', dataDir, '--clock', 'virtual', '--rpm', '0', '--max-concurrent', '0'];
  const processes: ServerProcess[] = [];
  try {
    const first = await spawnRole('api', args, env);
    processes.push(first);
    const others = await Promise.allSettled([spawnRole('api', args, env), spawnRole('worker', [...args, '--workers', '1'], env)]);
    for (const p of others) if (p.status === 'fulfilled') processes.push(p.value);
    for (const p of others) if (p.status === 'rejected') throw p.reason;
    const [a, b] = processes;

    // One time for all: it stands still, and a move through one API is the other's too.
    const start = await clockOf(a);
    assert.equal(start.virtual, true);
    assert.equal((await clockOf(b)).now_ms, start.now_ms, 'a process joining takes the stored time');
    await sleep(300);
    assert.equal((await clockOf(b)).now_ms, start.now_ms, 'a virtual clock stands still');
    const moved = await advance(a, 90);
    assert.equal(moved.now_ms, start.now_ms + 90_000);
    await until('the other API process sees the advance', () => clockOf(b), (clock) => clock.now_ms === moved.now_ms, 3000);

    // The worker runs on the same time: a 30 s generation waits until the clock is moved past it.
    const created = await submit(b, { prompt: 'waits for the shared clock' }, 'latency:30000');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.created_at, moved.now, 'created_at is on the shared virtual clock');
    const generation = (id: string) => fetch(`${a.url}/v1/generations/${id}`, { headers: auth }).then((r) => r.json());
    await sleep(1500);
    assert.equal((await generation(created.body.id)).state, 'queued', 'no time has passed on the virtual clock');
    await advance(b, 10);
    await until('processing once the clock passed 7.5 s', () => generation(created.body.id), (g) => g.state === 'processing');
    await advance(a, 25);
    await until('completed once the clock passed 30 s', () => generation(created.body.id), (g) => g.state === 'completed');

    // flaky:3 counts tries across both APIs: three 502s, then one success, then it starts again.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await submit(processes[i % 2], { prompt: 'flaky across replicas' }, 'flaky:3')).status);
    assert.deepEqual(statuses, [502, 502, 502, 201, 502, 502]);

    // Six tries at once of a flaky:5 request, spread over both APIs: exactly five fail.
    const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => submit(processes[i % 2], { prompt: 'flaky burst' }, 'flaky:5')));
    assert.deepEqual(
      burst.map((r) => r.status).sort(),
      [201, 502, 502, 502, 502, 502],
      JSON.stringify(burst.map((r) => r.body)),
    );
  } finally {
    await stopProcesses(processes);
  }
}

test('2 api + 1 worker on Postgres share the virtual clock (moved by notification) and flaky counts', { skip: pgSkip, timeout: 120_000 }, async () => {
  const db = await postgresSchema();
  try {
    // Polling once a minute: only the clock:advanced notification can wake the worker in time.
    await sharedEmulator({ DATABASE_URL: db.url, ATELIER_API_KEYS: KEY_A, ATELIER_ADMIN_TOKEN: ADMIN, ATELIER_POLL_INTERVAL_MS: '60000' }, tempDir());
  } finally {
    await db.drop();
  }
});

test('2 api + 1 worker sharing a SQLite data dir share the virtual clock (re-read at the poll interval) and flaky counts', { timeout: 120_000 }, async () => {
  await sharedEmulator({ ATELIER_API_KEYS: KEY_A, ATELIER_ADMIN_TOKEN: ADMIN, ATELIER_POLL_INTERVAL_MS: '200' }, tempDir());
});

test('chaos counts submissions in the store: 16 alternating between 2 API processes get the decisions one serve process makes', { skip: pgSkip, timeout: 120_000 }, async () => {
  const db = await postgresSchema();
  const chaos = ['--chaos', '0.5', '--chaos-seed', '7', '--rpm', '0', '--max-concurrent', '0', '--workers', '0'];
  const statuses = async (apis: ServerProcess[]) => {
    const seen: number[] = [];
    for (let i = 0; i < 16; i++) seen.push((await submit(apis[i % apis.length], { prompt: `chaos ${i}` })).status);
    return seen;
  };
  const processes: ServerProcess[] = [];
  try {
    processes.push(await spawnRole('serve', ['--data-dir', tempDir(), ...chaos], { ATELIER_API_KEYS: KEY_A }));
    const alone = await statuses(processes);
    assert.ok(alone.some((s) => s !== 201) && alone.some((s) => s === 201), `some but not all refused: ${alone.join(', ')}`);
    const dataDir = tempDir();
    const env = { DATABASE_URL: db.url, ATELIER_API_KEYS: KEY_A };
    processes.push(await spawnRole('api', ['--data-dir', dataDir, ...chaos], env));
    processes.push(await spawnRole('api', ['--data-dir', dataDir, ...chaos], env));
    assert.deepEqual(await statuses(processes.slice(1)), alone);
  } finally {
    await stopProcesses(processes);
    await db.drop();
  }
});
