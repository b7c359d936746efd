import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { metricValue } from '../helpers/poll.js';
import { generate, startTestServer, type TestServer } from '../helpers/server.js';
import { moderationCount } from './metrics.js';

const REASON = 'Generation output was flagged by our content moderation system.';
const ADMIN = 'admin-secret-token';

describe('prompt moderation in the default mode (prompt)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '2', moderationBlockTerms: 'pineapple', moderationAllowTerms: 'shiitake' }, { env: { ATELIER_ADMIN_TOKEN: ADMIN } });
  });
  after(() => ts.close());

  const admin = (method: string, route: string, body?: unknown) =>
    ts.call(method, `/admin/v1${route}`, { key: null, headers: { authorization: `Bearer ${ADMIN}` }, body });

  test('a flagged prompt is accepted with 201, then fails as content_moderated with the spec reason and no output', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'a pile of sh1t on a table' } });
    assert.equal(res.status, 201);
    assert.equal((await res.json()).state, 'queued');
    const before = await moderationCount(ts, 'prompt', 'flagged');
    const done = await generate(ts, { prompt: 'FUUUCK this, a photo' });
    assert.equal(done.state, 'failed');
    assert.equal(done.failure_code, 'content_moderated');
    assert.equal(done.failure_reason, REASON);
    assert.deepEqual(done.output, []);
    assert.equal(await moderationCount(ts, 'prompt', 'flagged'), before + 1);
  });

  test('a clean prompt completes and is counted as allowed', async () => {
    const before = await moderationCount(ts, 'prompt', 'allowed');
    const done = await generate(ts, { prompt: 'A white cat wearing a tiny crown' });
    assert.equal(done.state, 'completed');
    assert.equal(done.output.length, 1);
    assert.equal(await moderationCount(ts, 'prompt', 'allowed'), before + 1);
  });

  test('configured block and allow terms apply', async () => {
    const blocked = await generate(ts, { prompt: 'a pineapple on a beach' });
    assert.equal(blocked.failure_code, 'content_moderated');
    const allowed = await generate(ts, { prompt: 'a shiitake mushroom risotto' });
    assert.equal(allowed.state, 'completed');
  });

  test('a moderated generation is refunded in full', async () => {
    const created = await admin('POST', '/clients', { name: 'moderated', credits_usd: 1 });
    const { client, key } = await created.json();
    const done = await generate(ts, { prompt: 'a p0rn poster' }, key);
    assert.equal(done.failure_code, 'content_moderated');
    const balance = (await (await admin('GET', `/clients/${client.id}`)).json()).balance_micros;
    assert.equal(balance, 1_000_000);
    const ledger = (await (await admin('GET', `/clients/${client.id}/ledger`)).json()).data as Array<{ kind: string; generation_id: string | null; reason: string | null }>;
    const entries = ledger.filter((e) => e.generation_id === done.id).map((e) => [e.kind, e.reason]);
    assert.deepEqual(entries.sort(), [['hold', null], ['refund', 'content_moderated']]);
  });
});

describe('prompt moderation modes', () => {
  test('off lets every prompt through and counts nothing', async () => {
    const ts = await startTestServer({ workers: '1', moderation: 'off' });
    try {
      const done = await generate(ts, { prompt: 'FUUUCK this, a photo' });
      assert.equal(done.state, 'completed');
      assert.equal(await moderationCount(ts, 'prompt', 'allowed'), 0);
      assert.equal(await moderationCount(ts, 'prompt', 'flagged'), 0);
    } finally {
      await ts.close();
    }
  });

  test('full checks prompts too, before any image is classified', async () => {
    const ts = await startTestServer({ workers: '1', moderation: 'full' });
    try {
      const done = await generate(ts, { prompt: 'a pile of sh1t' });
      assert.equal(done.failure_code, 'content_moderated');
      assert.equal(done.failure_reason, REASON);
      assert.equal(await moderationCount(ts, 'prompt', 'flagged'), 1);
      assert.equal(await moderationCount(ts, 'output', 'allowed') + (await moderationCount(ts, 'output', 'flagged')), 0);
    } finally {
      await ts.close();
    }
  });
});

test('check durations are timed on a monotonic timer, so they still read under --clock virtual', async () => {
  const ts = await startTestServer({ workers: '1', clock: 'virtual' });
  try {
    await generate(ts, { prompt: 'A white cat wearing a tiny crown' });
    assert.equal(await moderationCount(ts, 'prompt', 'allowed'), 1);
    assert.ok((await metricValue(ts, 'atelier_moderation_check_duration_seconds_sum{stage="prompt"}')) > 0);
  } finally {
    await ts.close();
  }
});
