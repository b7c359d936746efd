import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { hashKey } from '../../src/accounts/index.js';
import { clients } from '../../src/store/index.js';
import { KEY_A, KEY_B, startTestServer, type TestServer } from '../helpers/server.js';

describe('authentication and tenancy', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '0' });
  });
  after(() => ts.close());

  /** A key inserted straight into the store, for the states the admin API will set. */
  async function keyWith(state: { revoked?: boolean; expired?: boolean; client?: 'suspended' | 'deactivated' }) {
    const key = `luma-api-${randomUUID()}`;
    const clientId = randomUUID();
    const now = Date.now();
    await clients.insertClient(ts.server.store.db, {
      id: clientId,
      name: 't',
      status: state.client ?? 'active',
      rpm_limit: null,
      max_concurrent: null,
      balance_micros: null,
      created_at: now,
    });
    await clients.insertApiKey(ts.server.store.db, {
      id: randomUUID(),
      client_id: clientId,
      key_hash: hashKey(key),
      prefix: key.slice(0, 13),
      created_at: now,
      expires_at: state.expired ? now - 1000 : null,
      revoked_at: state.revoked ? now - 1000 : null,
    });
    return key;
  }

  const cases: Array<[string, Record<string, string>, string]> = [
    ['no Authorization header', {}, 'Missing or invalid API key'],
    ['a lowercase bearer scheme', { authorization: `bearer ${KEY_A}` }, 'Missing or invalid API key'],
    ['a Basic scheme', { authorization: `Basic ${KEY_A}` }, 'Missing or invalid API key'],
    ['a token without the luma-api- prefix', { authorization: 'Bearer sk-0123456789' }, 'Missing or invalid API key'],
    ['a well-formed unknown key', { authorization: 'Bearer luma-api-unknown-key-0000000000' }, 'Invalid API key'],
  ];
  for (const [what, headers, detail] of cases) {
    test(`${what} is a 401 "${detail}" on POST and GET`, async () => {
      for (const [method, route] of [
        ['POST', '/v1/generations'],
        ['GET', `/v1/generations/${randomUUID()}`],
      ]) {
        const res = await ts.call(method, route, { key: null, headers, body: method === 'POST' ? { prompt: 'p' } : undefined });
        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), { detail });
        assert.ok(res.headers.get('x-request-id'));
        assert.equal(res.headers.get('x-api-version'), '2026-04-01');
      }
    });
  }

  test('a revoked key, an expired key and suspended or deactivated clients get their own strings', async () => {
    const expect = [
      [await keyWith({ revoked: true }), 401, 'API key has been revoked'],
      [await keyWith({ expired: true }), 401, 'API key has expired'],
      [await keyWith({ client: 'suspended' }), 403, 'API client is suspended'],
      [await keyWith({ client: 'deactivated' }), 403, 'API client is deactivated'],
    ] as const;
    for (const [key, status, detail] of expect) {
      const res = await ts.call('POST', '/v1/generations', { key, body: { prompt: 'p' } });
      assert.equal(res.status, status);
      assert.deepEqual(await res.json(), { detail });
    }
  });

  test('authentication comes before body parsing and validation', async () => {
    const res = await ts.call('POST', '/v1/generations', { key: null, body: '{not json' });
    assert.equal(res.status, 401);
  });

  test("another client's generation, an unknown id and a non-UUID are all 404 Generation not found", async () => {
    const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'mine' } })).json();
    assert.equal((await ts.call('GET', `/v1/generations/${created.id}`)).status, 200);
    assert.equal((await ts.call('GET', `/v1/generations/${created.id.toUpperCase()}`)).status, 200);
    for (const [id, key] of [
      [created.id, KEY_B],
      [randomUUID(), KEY_A],
      ['not-a-uuid', KEY_A],
      ['..%2F..%2Fetc', KEY_A],
    ]) {
      const res = await ts.call('GET', `/v1/generations/${id}`, { key });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { detail: 'Generation not found' });
    }
  });

  test('keys are stored only as hashes', async () => {
    const rows = await ts.server.store.db.selectFrom('api_keys').selectAll().execute();
    const dump = JSON.stringify(rows);
    assert.ok(!dump.includes(KEY_A) && !dump.includes(KEY_B));
    assert.ok(rows.some((r) => r.key_hash === hashKey(KEY_A)));
  });
});
