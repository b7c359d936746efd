import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresSchema, postgresSkip } from '../helpers/dialects.js';
import { spawnRole, stopProcesses, type ServerProcess } from '../helpers/process.js';
import { KEY_A } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const auth = { authorization: `Bearer ${KEY_A}` };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pgSkip = await postgresSkip();

const submit = (api: ServerProcess, prompt: string) =>
  fetch(`${api.url}/v1/generations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ prompt }) }).then(async (res) => {
    const body = await res.json();
    assert.equal(res.status, 201, JSON.stringify(body));
    return body.id as string;
  });
const state = (api: ServerProcess, id: string) => fetch(`${api.url}/v1/generations/${id}`, { headers: auth }).then(async (r) => (await r.json()).state as string);

async function deployment(env: Record<string, string>): Promise<{ api: ServerProcess; stop(): Promise<void> }> {
  const db = await postgresSchema();
  const dataDir = tempDir();
  const common = { DATABASE_URL: db.url, ATELIER_API_KEYS: KEY_A, ATELIER_RPM: '0', ATELIER_MAX_CONCURRENT: '0', ...env };
  const processes: ServerProcess[] = [];
  try {
    processes.push(await spawnRole('api', ['--data-dir', dataDir], common));
    processes.push(await spawnRole('worker', ['--data-dir', dataDir, '--workers', '3'], common));
  } catch (err) {
    await stopProcesses(processes);
    await db.drop();
    throw err;
  }
  return {
    api: processes[0],
    async stop() {
      await stopProcesses(processes);
      await db.drop();
    },
  };
}

test('with ATELIER_JOB_NOTIFICATIONS=off a worker ignores job:new: a submit waits for its poll, and a backlog found by one poll all runs', { skip: pgSkip, timeout: 90_000 }, async () => {
  const slow = await deployment({ ATELIER_JOB_NOTIFICATIONS: 'off', ATELIER_POLL_INTERVAL_MS: '60000' });
  try {
    // The worker's first poll came at its start; the next is a minute away.
    await sleep(500);
    const id = await submit(slow.api, 'waits for a poll');
    await sleep(2000);
    assert.equal(await state(slow.api, id), 'queued', 'nothing woke the worker');
  } finally {
    await slow.stop();
  }

  const polled = await deployment({ ATELIER_JOB_NOTIFICATIONS: 'off', ATELIER_POLL_INTERVAL_MS: '300' });
  try {
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => submit(polled.api, `backlog ${i}`)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = await Promise.all(ids.map((id) => state(polled.api, id)));
      if (states.every((s) => s === 'completed')) break;
      assert.ok(Date.now() < deadline, `still ${states.join(', ')} after 30 s of polling`);
      await sleep(100);
    }
  } finally {
    await polled.stop();
  }
});
