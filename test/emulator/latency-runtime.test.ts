import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { postgresSchema, postgresSkip } from '../helpers/dialects.js';
import { waitForState } from '../helpers/poll.js';
import { startTestServer, tempDir, waitForGeneration, type TestServer } from '../helpers/server.js';

const ADMIN = 'latency-runtime-admin-token';
const admin = (ts: TestServer, method: string, body?: unknown) => ts.call(method, '/admin/v1/emulator', { key: ADMIN, body });
const setLatency = async (ts: TestServer, latency: string) => {
  const res = await admin(ts, 'PATCH', { latency });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
};
const submit = async (ts: TestServer) => (await (await ts.call('POST', '/v1/generations', { body: { prompt: 'how long will I take' } })).json()).id as string;
const advance = (ts: TestServer, seconds: number) => ts.call('POST', '/admin/v1/clock/advance', { key: ADMIN, body: { seconds } });

test('the latency profile changes at runtime: submissions from then on take that long, and back', async () => {
  const ts = await startTestServer({ clock: 'virtual', adminToken: ADMIN });
  try {
    const initial = await (await admin(ts, 'GET')).json();
    assert.deepEqual([initial.latency, initial.latency_configured], ['instant', 'instant']);
    const before = await submit(ts);
    assert.equal((await waitForGeneration(ts, before)).state, 'completed');

    const view = await setLatency(ts, 'fixed:60000');
    assert.equal(view.latency, 'fixed:60000');
    assert.equal(view.latency_configured, 'instant');
    assert.equal((await (await admin(ts, 'GET')).json()).latency, 'fixed:60000');
    // On a virtual clock that stands still, it waits for the minute to pass.
    const slow = await submit(ts);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await (await ts.call('GET', `/v1/generations/${slow}`)).json()).state, 'queued');
    await advance(ts, 20);
    await waitForState(ts, slow, 'processing');
    await advance(ts, 40);
    await waitForState(ts, slow, 'completed');

    await setLatency(ts, 'instant');
    assert.equal((await waitForGeneration(ts, await submit(ts))).state, 'completed');
  } finally {
    await ts.close();
  }
});

test('a bad profile is a 400 naming the choices; gateway mode refuses the change', async () => {
  const ts = await startTestServer({ adminToken: ADMIN });
  const gateway = await startTestServer({ adminToken: ADMIN, mode: 'gateway' });
  try {
    for (const [body, detail] of [
      [{ latency: 'slow' }, "latency: must be instant, realistic or fixed:<ms>, got 'slow'"],
      [{ latency: 'fixed:-1' }, "latency: must be instant, realistic or fixed:<ms>, got 'fixed:-1'"],
      [{ latency: 5 }, 'latency: must be string'],
      [{}, "body: must have required property 'latency'"],
    ] as const) {
      const res = await admin(ts, 'PATCH', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(await res.json(), { detail });
    }
    assert.equal((await (await admin(ts, 'GET')).json()).latency, 'instant');
    const refused = await admin(gateway, 'PATCH', { latency: 'realistic' });
    assert.equal(refused.status, 409);
    assert.deepEqual(await refused.json(), { detail: 'Latency profiles are an emulator feature and this server runs in gateway mode' });
    assert.equal((await ts.call('PATCH', '/admin/v1/emulator', { key: 'wrong', body: { latency: 'realistic' } })).status, 401);
  } finally {
    await gateway.close();
    await ts.close();
  }
});

test('a change survives a restart with the same --latency; a different --latency wins', async () => {
  const dataDir = tempDir();
  try {
    const first = await startTestServer({ dataDir, adminToken: ADMIN });
    await setLatency(first, 'realistic');
    await first.close();

    const same = await startTestServer({ dataDir, adminToken: ADMIN });
    assert.equal((await (await admin(same, 'GET')).json()).latency, 'realistic');
    await same.close();

    // A gateway on the same store never takes it up.
    const gateway = await startTestServer({ dataDir, adminToken: ADMIN, mode: 'gateway' });
    assert.equal((await (await admin(gateway, 'GET')).json()).latency, 'instant');
    await gateway.close();

    const other = await startTestServer({ dataDir, adminToken: ADMIN, latency: 'fixed:10' });
    const view = await (await admin(other, 'GET')).json();
    assert.deepEqual([view.latency, view.latency_configured], ['fixed:10', 'fixed:10']);
    await other.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

const pgSkip = await postgresSkip();

test('every API process on one store follows a change within 2 s', { skip: pgSkip }, async () => {
  const db = await postgresSchema();
  const a = await startTestServer({ databaseUrl: db.url, adminToken: ADMIN, workers: '0' });
  const b = await startTestServer({ databaseUrl: db.url, adminToken: ADMIN, workers: '0' });
  try {
    assert.equal((await (await admin(b, 'GET')).json()).latency, 'instant');
    const changed = Date.now();
    await setLatency(a, 'fixed:1234');
    let seen = '';
    while (Date.now() - changed < 5000 && seen !== 'fixed:1234') {
      await new Promise((r) => setTimeout(r, 100));
      seen = (await (await admin(b, 'GET')).json()).latency;
    }
    assert.equal(seen, 'fixed:1234');
    assert.ok(Date.now() - changed < 3000, `seen after ${Date.now() - changed} ms`);
  } finally {
    await b.close();
    await a.close();
    await db.drop();
  }
});
