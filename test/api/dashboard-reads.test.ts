import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generate, KEY_B, startTestServer, type TestServer } from '../helpers/server.js';

const ADMIN = 'dashboard-reads-admin-token';
let ts: TestServer;
const admin = (route: string, init: { method?: string; body?: unknown } = {}) =>
  ts.call(init.method ?? 'GET', `/admin/v1${route}`, { key: null, headers: { authorization: `Bearer ${ADMIN}` }, body: init.body });

before(async () => {
  ts = await startTestServer({ workers: '1', adminToken: ADMIN });
});
after(() => ts.close());

test('details show the request without inline data, its inputs, price, timings and the chain of edits; foreign ids are 404', async () => {
  const first = await generate(ts, { prompt: 'a red fox', aspect_ratio: '1:1', user_id: 'u-1' });
  const edit = await generate(ts, { prompt: 'make it blue', type: 'image_edit', source: { generation_id: first.id } });
  assert.equal(edit.state, 'completed');

  const res = await ts.call('GET', `/v1/generations/${edit.id}/details`);
  assert.equal(res.status, 200);
  const details = await res.json();
  assert.equal(details.request.prompt, 'make it blue');
  assert.deepEqual(details.request.source, { generation_id: first.id });
  assert.equal(details.request.inputs, undefined, 'internal blob keys stay inside');
  assert.deepEqual(details.edit_of, [first.id]);
  assert.equal(details.inputs.length, 1);
  assert.equal(details.inputs[0].path, 'source');
  const input = await fetch(details.inputs[0].url);
  assert.equal(input.status, 200);
  assert.match(input.headers.get('content-type') ?? '', /^image\//);
  assert.match(details.price_usd, /^\d+\.\d{4}$/);
  assert.equal(details.charged, true);
  assert.ok(details.finished_at);

  const parent = await (await ts.call('GET', `/v1/generations/${first.id}/details`)).json();
  assert.deepEqual(parent.edits.map((e: { id: string }) => e.id), [edit.id]);
  assert.equal(parent.request.user_id, 'u-1');

  assert.equal((await ts.call('GET', `/v1/generations/${first.id}/details`, { key: KEY_B })).status, 404);
  const bad = await ts.call('GET', '/v1/generations/not-a-uuid/details');
  assert.equal(bad.status, 404);
  assert.deepEqual(await bad.json(), { detail: 'Generation not found' });
});

test('a client reads its balance, limits and user budgets with what each user spent', async () => {
  const a = await (await ts.call('GET', '/v1/account')).json();
  assert.equal((await admin(`/clients/${a.id}/credits`, { method: 'POST', body: { op: 'set', amount_usd: 20 } })).status, 200);
  assert.equal((await admin(`/clients/${a.id}/budgets/u-1`, { method: 'PUT', body: { period: 'month', limit_usd: 3 } })).status, 200);
  const account = await (await ts.call('GET', '/v1/account')).json();
  assert.equal(account.id, a.id);
  assert.equal(account.balance_usd, '20.0000');
  assert.equal(account.budgets.length, 1);
  assert.equal(account.budgets[0].user_id, 'u-1');
  assert.equal(account.budgets[0].limit_usd, '3.0000');
  assert.match(account.budgets[0].spent_usd, /^\d+\.\d{4}$/);
  assert.equal((await ts.call('GET', '/v1/account', { key: null })).status, 401);
  assert.deepEqual(await (await admin(`/clients/${a.id}/account`)).json(), account);
});

test('the operator reads the queue, any client usage and the emulator settings; others get 401', async () => {
  const queue = await (await admin('/queue')).json();
  assert.equal(typeof queue.queued, 'number');
  assert.equal(typeof queue.processing, 'number');
  assert.ok(queue.throughput.last_hour.completed >= 2, 'the generations above completed within the hour');
  assert.ok(Array.isArray(queue.by_model) && Array.isArray(queue.by_client));

  const a = await (await ts.call('GET', '/v1/account')).json();
  const usage = await (await admin(`/clients/${a.id}/usage?group_by=model`)).json();
  const own = await (await ts.call('GET', '/v1/usage?group_by=model')).json();
  assert.deepEqual(usage.data, own.data);
  const missing = await admin('/clients/00000000-0000-4000-8000-000000000000/usage');
  assert.equal(missing.status, 404);

  const emulator = await (await admin('/emulator')).json();
  assert.equal(emulator.mode, 'emulator');
  assert.equal(emulator.latency, 'instant');
  assert.ok(emulator.faults.examples.includes('http:503'));

  for (const route of ['/queue', '/emulator']) assert.equal((await ts.call('GET', `/admin/v1${route}`)).status, 401);
});

test('with --strict the extension reads are absent, as an unknown route is', async () => {
  const strict = await startTestServer({ workers: '0', strict: 'true' });
  try {
    const g = await (await strict.call('POST', '/v1/generations', { body: { prompt: 'x' } })).json();
    for (const route of ['/v1/account', `/v1/generations/${g.id}/details`]) {
      const res = await strict.call('GET', route);
      assert.equal(res.status, 404, route);
      assert.deepEqual(await res.json(), { detail: 'Not Found' }, route);
    }
    assert.equal((await strict.call('GET', '/v1/usage')).status, 200, 'the spec names /v1/usage: it stays');
  } finally {
    await strict.close();
  }
});

test("the operator lists every client's generations, filters by client, and reads any one's details", async () => {
  const mine = await generate(ts, { prompt: 'operator sees A' });
  const theirs = await generate(ts, { prompt: 'operator sees B' }, KEY_B);
  const a = await (await ts.call('GET', '/v1/account')).json();

  const all = await (await admin('/generations?limit=100')).json();
  const ids = all.data.map((g: { id: string }) => g.id);
  assert.ok(ids.includes(mine.id) && ids.includes(theirs.id), 'both clients');
  const first = all.data.find((g: { id: string }) => g.id === theirs.id);
  assert.notEqual(first.client_id, a.id);
  assert.equal(first.output.length, 1);
  assert.equal((await fetch(first.output[0].url)).status, 200);

  const onlyA = await (await admin(`/generations?client_id=${a.id}&limit=100`)).json();
  assert.ok(onlyA.data.every((g: { client_id: string }) => g.client_id === a.id));
  assert.ok(!onlyA.data.some((g: { id: string }) => g.id === theirs.id));
  const paged = await (await admin('/generations?limit=1')).json();
  assert.equal(paged.data.length, 1);
  assert.equal(paged.has_more, true);

  const details = await (await admin(`/generations/${theirs.id}/details`)).json();
  assert.equal(details.request.prompt, 'operator sees B');
  assert.equal(details.generation.state, 'completed');
  assert.equal(details.client_id, first.client_id);
  assert.equal((await admin('/generations/00000000-0000-4000-8000-000000000000/details')).status, 404);
  const bad = await admin('/generations?client_id=nope');
  assert.equal(bad.status, 400);
  assert.equal((await ts.call('GET', '/admin/v1/generations')).status, 401, 'an API key is not the admin token');
});

test('the queue counts waiting work per engine, model and client, and how long the oldest has waited', async () => {
  const idle = await startTestServer({ workers: '0', adminToken: ADMIN });
  try {
    for (const prompt of ['one', 'two']) assert.equal((await idle.call('POST', '/v1/generations', { body: { prompt, model: 'uni-1-max' } })).status, 201);
    const res = await idle.call('GET', '/admin/v1/queue', { key: null, headers: { authorization: `Bearer ${ADMIN}` } });
    const queue = await res.json();
    assert.equal(queue.queued, 2);
    assert.deepEqual(queue.by_engine, [{ engine: 'local', queued: 2, processing: 0 }]);
    assert.deepEqual(queue.by_model, [{ model: 'uni-1-max', queued: 2, processing: 0 }]);
    assert.equal(queue.by_client.length, 1);
    assert.equal(queue.by_client[0].queued, 2);
    assert.ok(queue.oldest_wait_seconds >= 0 && queue.oldest_queued_at);
  } finally {
    await idle.close();
  }
});
