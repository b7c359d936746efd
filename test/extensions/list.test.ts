import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KEY_B, ManualClock, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';

const FAULT = 'x-atelier-fault';

describe('GET /v1/generations (extension)', () => {
  let ts: TestServer;
  const clock = new ManualClock(Date.parse('2026-06-01T12:00:00Z'));
  const ids: string[] = [];
  before(async () => {
    ts = await startTestServer({ workers: '1' }, { clock });
    // Seven generations a minute apart: 0–2 fail, 3–6 stay queued behind a long latency; 5 and 6 are uni-1-max for user u-1.
    for (let i = 0; i < 7; i++) {
      const body = { prompt: `list ${i}`, ...(i >= 5 ? { model: 'uni-1-max', user_id: 'u-1' } : {}) };
      const res = await ts.call('POST', '/v1/generations', { body, headers: { [FAULT]: i < 3 ? 'generation_failed' : 'latency:86400000' } });
      assert.equal(res.status, 201);
      ids.push((await res.json()).id);
      clock.advance(60_000);
    }
    for (const id of ids.slice(0, 3)) await waitForGeneration(ts, id);
    // Run to its end, so the queue stands still while the tests compare positions.
    const other = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'another client' }, key: KEY_B })).json();
    await waitForGeneration(ts, other.id, KEY_B);
  });
  after(() => ts.close());

  const list = async (query: string) => {
    const res = await ts.call('GET', `/v1/generations${query}`);
    return { res, body: await res.json() };
  };

  test('lists the client’s own generations newest first, as GET shows them', async () => {
    const { res, body } = await list('');
    assert.equal(res.status, 200);
    assert.deepEqual(body.data.map((g: any) => g.id), [...ids].reverse());
    assert.equal(body.has_more, false);
    assert.equal(body.next_cursor, null);
    const one = await (await ts.call('GET', `/v1/generations/${ids[6]}`)).json();
    assert.deepEqual(body.data[0], one);
  });

  test('pages with a keyset cursor until has_more is false', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      const { body } = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.data.map((g: any) => g.id));
      if (!body.has_more) break;
      assert.ok(body.data.length === 3 && body.next_cursor);
      cursor = body.next_cursor;
    }
    assert.deepEqual(seen, [...ids].reverse());
  });

  test('filters by state, model, type, user_id and created range', async () => {
    const idsOf = async (query: string) => (await list(query)).body.data.map((g: any) => g.id);
    assert.deepEqual(await idsOf('?state=failed'), ids.slice(0, 3).reverse());
    assert.deepEqual(await idsOf('?state=queued&model=uni-1'), [ids[4], ids[3]]);
    assert.deepEqual(await idsOf('?user_id=u-1'), [ids[6], ids[5]]);
    assert.deepEqual(await idsOf('?type=video'), []);
    assert.deepEqual(await idsOf('?created_after=2026-06-01T12:02:00Z&created_before=2026-06-01T12:04:00Z'), [ids[3], ids[2]]);
  });

  test('bad queries are 400s with a detail naming the parameter', async () => {
    for (const [query, detail] of [
      ['?limit=0', 'limit: must be an integer from 1 to 100'],
      ['?limit=101', 'limit: must be an integer from 1 to 100'],
      ['?cursor=bogus', 'cursor: not a cursor from next_cursor'],
    ]) {
      const { res, body } = await list(query);
      assert.equal(res.status, 400, query);
      assert.equal(body.detail, detail);
    }
    for (const query of ['?state=done', '?model=dall-e', '?created_after=yesterday']) {
      const { res, body } = await list(query);
      assert.equal(res.status, 400, query);
      assert.match(body.detail, /^(state|model|created_after): /);
    }
  });

  test('queued generations carry their queue position; others none', async () => {
    const { body } = await list('');
    const byId = new Map(body.data.map((g: any) => [g.id, g]));
    for (const id of ids.slice(3)) assert.deepEqual(Object.keys((byId.get(id) as any).queue).sort(), ['position', 'reason']);
    for (const id of ids.slice(0, 3)) assert.equal((byId.get(id) as any).queue, undefined);
  });
});

describe('--strict', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '0', strict: 'true' });
  });
  after(() => ts.close());

  test('GET /v1/generations is the spec’s 405 and a queued generation has no extension fields', async () => {
    const res = await ts.call('GET', '/v1/generations');
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'strict' } })).json();
    assert.deepEqual(Object.keys(created), ['id', 'type', 'state', 'model', 'created_at', 'output', 'failure_reason', 'failure_code']);
  });
});
