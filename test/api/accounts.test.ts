import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ledger } from '../../src/store/index.js';
import { generate, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';

const ADMIN = 'admin-secret-token';
const PNG_SIGNATURE_ONLY = 'iVBORw0KGgo=';

describe('accounts: clients, keys, balances and budgets', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '2' }, { env: { ATELIER_ADMIN_TOKEN: ADMIN } });
  });
  after(() => ts.close());

  const adminCall = (method: string, route: string, body?: unknown) =>
    ts.call(method, `/admin/v1${route}`, { key: null, headers: { authorization: `Bearer ${ADMIN}` }, body });

  async function newClient(credits: number | null, extra: object = {}) {
    const res = await adminCall('POST', '/clients', { name: 'team', credits_usd: credits, ...extra });
    assert.equal(res.status, 201, await res.clone().text());
    const { client, key } = await res.json();
    assert.match(key, /^luma-api-[A-Za-z0-9]{40}$/);
    return { id: client.id as string, key: key as string };
  }

  async function assertLedgerMatches(clientId: string) {
    const balance = await ledger.getBalance(ts.server.store.db, clientId);
    assert.equal(balance, await ledger.ledgerSum(ts.server.store.db, clientId), 'balance equals the ledger sum');
    return balance;
  }

  test('the admin API is refused without the token, and off when no token is configured', async () => {
    const res = await ts.call('GET', '/admin/v1/clients', { key: null, headers: { authorization: 'Bearer wrong' } });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { detail: 'Missing or invalid admin token' });
    const off = await startTestServer({ workers: '0' });
    try {
      const disabled = await off.call('GET', '/admin/v1/clients', { key: null, headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(disabled.status, 404);
      assert.deepEqual(await disabled.json(), { detail: 'The admin API is disabled: set ATELIER_ADMIN_TOKEN to enable it' });
    } finally {
      await off.close();
    }
  });

  test('holds the price at submit; 402 with the spec string when the balance cannot cover it', async () => {
    const { id, key } = await newClient(0.1);
    for (let i = 0; i < 2; i++) assert.equal((await ts.call('POST', '/v1/generations', { key, body: { prompt: `p${i}` } })).status, 201);
    const refused = await ts.call('POST', '/v1/generations', { key, body: { prompt: 'p3' } });
    assert.equal(refused.status, 402);
    assert.deepEqual(await refused.json(), { detail: 'Insufficient credits. Please add credits to continue.' });
    assert.equal(await assertLedgerMatches(id), 100_000 - 2 * 40_400);
    const count = await ts.server.store.db.selectFrom('generations').select((eb) => eb.fn.countAll<number>().as('n')).where('client_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 2, 'a refused request stores nothing');
  });

  test('completion captures exactly the submit price; a failure refunds it', async () => {
    const { id, key } = await newClient(1);
    const done = await generate(ts, { prompt: 'charged', model: 'uni-1-max', image_ref: [] }, key);
    assert.equal(done.state, 'completed');
    const failed = await generate(ts, { prompt: 'broken', type: 'image_edit', source: { data: PNG_SIGNATURE_ONLY, media_type: 'image/png' } }, key);
    assert.equal(failed.failure_code, 'corrupt_input');
    assert.equal(await assertLedgerMatches(id), 1_000_000 - 100_000);
    const entries = (await (await adminCall('GET', `/clients/${id}/ledger`)).json()).data;
    const kinds = entries.map((e: { kind: string; generation_id: string | null }) => `${e.kind}:${e.generation_id === done.id ? 'done' : e.generation_id === failed.id ? 'failed' : '-'}`);
    assert.deepEqual(kinds.sort(), ['capture:done', 'credit:-', 'hold:done', 'hold:failed', 'refund:failed']);
  });

  test('prices follow the spec table: refs and edit sources add $0.003 per extra input', async () => {
    const { id, key } = await newClient(5);
    const ref = { data: PNG_SIGNATURE_ONLY, media_type: 'image/png' };
    const cases: Array<[object, number]> = [
      [{ prompt: 'p' }, 40_400],
      [{ prompt: 'p', model: 'uni-1-max' }, 100_000],
      [{ prompt: 'p', image_ref: [ref] }, 43_400],
      [{ prompt: 'p', image_ref: Array(9).fill(ref) }, 67_400],
      [{ prompt: 'p', type: 'image_edit', source: ref }, 43_400],
      [{ prompt: 'p', type: 'image_edit', model: 'uni-1-max', source: ref, image_ref: [ref, ref] }, 109_000],
    ];
    for (const [body, price] of cases) {
      const created = await (await ts.call('POST', '/v1/generations', { key, body })).json();
      const hold = await ledger.findLedgerEntry(ts.server.store.db, created.id, 'hold');
      assert.equal(hold?.amount_micros, -price, JSON.stringify(body));
      await waitForGeneration(ts, created.id, key);
    }
    await assertLedgerMatches(id);
  });

  test('50 parallel submits against a balance that covers exactly 10 accept exactly 10', async () => {
    const { id, key } = await newClient(0.404);
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => (await ts.call('POST', '/v1/generations', { key, body: { prompt: `race ${i}` } })).status),
    );
    assert.equal(statuses.filter((s) => s === 201).length, 10);
    assert.equal(statuses.filter((s) => s === 402).length, 40);
    assert.equal(await assertLedgerMatches(id), 0);
  });

  test('suspending, deactivating and reactivating a client; revoking and expiring keys', async () => {
    const { id, key } = await newClient(null);
    const second = await (await adminCall('POST', `/clients/${id}/keys`, {})).json();
    const created = await (await ts.call('POST', '/v1/generations', { key, body: { prompt: 'shared' } })).json();
    assert.equal((await ts.call('GET', `/v1/generations/${created.id}`, { key: second.key })).status, 200, 'keys of one client share its generations');

    for (const [status, detail] of [
      ['suspended', 'API client is suspended'],
      ['deactivated', 'API client is deactivated'],
    ]) {
      assert.equal((await adminCall('PATCH', `/clients/${id}`, { status })).status, 200);
      const res = await ts.call('POST', '/v1/generations', { key, body: { prompt: 'p' } });
      assert.equal(res.status, 403);
      assert.deepEqual(await res.json(), { detail });
    }
    await adminCall('PATCH', `/clients/${id}`, { status: 'active' });
    assert.equal((await ts.call('POST', '/v1/generations', { key, body: { prompt: 'p' } })).status, 201);

    assert.equal((await adminCall('PATCH', `/keys/${second.id}`, { revoked: true })).status, 200);
    assert.deepEqual(await (await ts.call('POST', '/v1/generations', { key: second.key, body: { prompt: 'p' } })).json(), { detail: 'API key has been revoked' });
    const third = await (await adminCall('POST', `/clients/${id}/keys`, { expires_at: '2001-01-01T00:00:00Z' })).json();
    assert.deepEqual(await (await ts.call('GET', `/v1/generations/${created.id}`, { key: third.key })).json(), { detail: 'API key has expired' });
    const keys = (await (await adminCall('GET', `/clients/${id}/keys`)).json()).data;
    assert.equal(keys.length, 3);
    assert.ok(keys.every((k: object) => !JSON.stringify(k).includes('luma-api-') || !JSON.stringify(k).includes(key)));
  });

  test('per-user budgets cap what one user_id may spend per day, with a 402 naming the budget', async () => {
    const { id, key } = await newClient(null);
    const put = await adminCall('PUT', `/clients/${id}/budgets/user-42`, { period: 'day', limit_usd: 0.05 });
    assert.equal(put.status, 200);
    assert.equal((await ts.call('POST', '/v1/generations', { key, body: { prompt: 'p', user_id: 'user-42' } })).status, 201);
    const refused = await ts.call('POST', '/v1/generations', { key, body: { prompt: 'p', user_id: 'user-42' } });
    assert.equal(refused.status, 402);
    assert.deepEqual(await refused.json(), {
      detail: "User budget exceeded: user_id 'user-42' has spent $0.0404 of its daily budget of $0.0500",
    });
    assert.equal((await ts.call('POST', '/v1/generations', { key, body: { prompt: 'p', user_id: 'user-7' } })).status, 201);
  });

  test('credits: credit, debit, set, and no debit below zero', async () => {
    const { id } = await newClient(1);
    const credit = async (body: object) => adminCall('POST', `/clients/${id}/credits`, body);
    assert.equal((await (await credit({ op: 'credit', amount_usd: 2.5, reason: 'top-up' })).json()).balance_micros, 3_500_000);
    assert.equal((await (await credit({ op: 'debit', amount_usd: 0.5 })).json()).balance_micros, 3_000_000);
    assert.equal((await (await credit({ op: 'set', amount_usd: 0.25 })).json()).balance_micros, 250_000);
    const negative = await credit({ op: 'debit', amount_usd: 1 });
    assert.equal(negative.status, 409);
    assert.deepEqual(await negative.json(), { detail: 'A balance cannot go below zero' });
    assert.equal(await assertLedgerMatches(id), 250_000);
    const missing = await adminCall('GET', '/clients/00000000-0000-4000-8000-000000000000');
    assert.deepEqual(await missing.json(), { detail: 'Client not found' });
  });

  test('GET /v1/usage gives the caller its own totals and paginated groups', async () => {
    const { key } = await newClient(null);
    for (const [user_id, model] of [['a', 'uni-1'], ['a', 'uni-1-max'], ['b', 'uni-1'], [null, 'uni-1']]) {
      assert.equal((await ts.call('POST', '/v1/generations', { key, body: { prompt: 'u', user_id, model } })).status, 201);
    }
    const total = await (await ts.call('GET', '/v1/usage', { key })).json();
    assert.equal(total.totals.generations, 4);
    assert.equal(total.totals.cost_micros, 3 * 40_400 + 100_000);
    assert.equal(total.totals.cost_usd, '0.2212');
    assert.equal(total.group_by, null);

    const first = await (await ts.call('GET', '/v1/usage?group_by=user_id&limit=2', { key })).json();
    assert.deepEqual(first.data.map((r: { user_id: string | null; generations: number }) => [r.user_id, r.generations]), [[null, 1], ['a', 2]]);
    assert.equal(first.has_more, true);
    const second = await (await ts.call('GET', `/v1/usage?group_by=user_id&limit=2&cursor=${first.next_cursor}`, { key })).json();
    assert.deepEqual(second.data.map((r: { user_id: string }) => r.user_id), ['b']);
    assert.equal(second.next_cursor, null);

    const byDay = await (await ts.call('GET', '/v1/usage?group_by=day&user_id=a', { key })).json();
    assert.deepEqual(byDay.data.map((r: { day: string; generations: number }) => [r.day, r.generations]), [[new Date().toISOString().slice(0, 10), 2]]);
    const today = new Date().toISOString().slice(0, 10);
    const dayModel = await (await ts.call('GET', '/v1/usage?group_by=day,model&limit=1', { key })).json();
    assert.equal(dayModel.group_by, 'day,model');
    assert.deepEqual(dayModel.totals, total.totals, 'a grouping never changes the totals');
    assert.deepEqual(dayModel.data, [{ day: today, model: 'uni-1', generations: 3, by_state: dayModel.data[0].by_state, cost_micros: 3 * 40_400, cost_usd: '0.1212' }]);
    const nextModel = await (await ts.call('GET', `/v1/usage?group_by=day,model&limit=1&cursor=${dayModel.next_cursor}`, { key })).json();
    assert.deepEqual(nextModel.data.map((r: { day: string; model: string; generations: number }) => [r.day, r.model, r.generations]), [[today, 'uni-1-max', 1]]);
    assert.equal(nextModel.has_more, false);
    const future = await (await ts.call('GET', '/v1/usage?start=2100-01-01&end=2100-02-01', { key })).json();
    assert.equal(future.totals.generations, 0);

    for (const [query, detail] of [
      ['group_by=colour', 'group_by: must be one of: user_id, model, type, day, or two of them joined by a comma (day,model)'],
      ['group_by=day,day', 'group_by: must be one of: user_id, model, type, day, or two of them joined by a comma (day,model)'],
      ['group_by=day,model,type', 'group_by: must be one of: user_id, model, type, day, or two of them joined by a comma (day,model)'],
      ['group_by=day,model&cursor=YQ', 'cursor: is not a cursor this server issued'],
      ['start=yesterday', 'start: must be an ISO 8601 date or date-time'],
      ['limit=0', 'limit: must be an integer from 1 to 1000'],
    ]) {
      const res = await ts.call('GET', `/v1/usage?${query}`, { key });
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { detail });
    }
  });
});
