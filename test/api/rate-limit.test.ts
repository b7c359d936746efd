import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KEY_B, ManualClock, startTestServer } from '../helpers/server.js';

describe('rate limits (spec §9)', () => {
  test('RPM: each 201 counts down X-RateLimit-Remaining; the next is a 429 with Retry-After and Reset', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const ts = await startTestServer({ workers: '0', rpm: '3' }, { clock });
    try {
      for (const [i, remaining] of ['2', '1', '0'].entries()) {
        const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } });
        assert.equal(res.status, 201);
        assert.equal(res.headers.get('x-ratelimit-limit'), '3');
        assert.equal(res.headers.get('x-ratelimit-remaining'), remaining);
        assert.equal(res.headers.get('x-ratelimit-reset'), String(1_800_000_000 + 60 + 10 * i), 'now + 60');
        clock.advance(10_000);
      }
      const refused = await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } });
      assert.equal(refused.status, 429);
      assert.deepEqual(await refused.json(), { detail: 'Rate limit exceeded' });
      assert.equal(refused.headers.get('retry-after'), '30');
      assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
      assert.equal(refused.headers.get('x-ratelimit-reset'), String(1_800_000_000 + 60));

      const other = await ts.call('POST', '/v1/generations', { key: KEY_B, body: { prompt: 'p' } });
      assert.equal(other.status, 201, 'limits are per client');

      const invalid = await ts.call('POST', '/v1/generations', { body: { prompt: '' } });
      assert.equal(invalid.status, 400, 'validation comes before the rate limit');

      clock.advance(30_001);
      assert.equal((await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } })).status, 201, 'the window slides');
      assert.equal((await ts.call('GET', '/v1/generations/d290f1ee-6c54-4b01-90e6-d701748f0851')).headers.get('x-ratelimit-limit'), null);
    } finally {
      await ts.close();
    }
  });

  test('concurrency: slots are held until a terminal state; the excess is a 429 with Retry-After 60 and no X-RateLimit-*', async () => {
    const ts = await startTestServer({ workers: '0', maxConcurrent: '2' });
    try {
      const ids = [];
      for (let i = 0; i < 2; i++) ids.push((await (await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } })).json()).id);
      const refused = await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } });
      assert.equal(refused.status, 429);
      assert.deepEqual(await refused.json(), { detail: 'Too many concurrent jobs' });
      assert.equal(refused.headers.get('retry-after'), '60');
      assert.equal(refused.headers.get('x-ratelimit-limit'), null);
      assert.equal((await ts.call('POST', '/v1/generations', { key: KEY_B, body: { prompt: 'p' } })).status, 201);

      await ts.server.store.db.updateTable('generations').set({ state: 'completed', output: '[]' }).where('id', '=', ids[0]).execute();
      assert.equal((await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } })).status, 201, 'a finished job frees its slot');
    } finally {
      await ts.close();
    }
  });

  test('parallel submits never exceed the concurrency limit', async () => {
    const ts = await startTestServer({ workers: '0', maxConcurrent: '5' });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async () => (await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } })).status),
      );
      assert.equal(statuses.filter((s) => s === 201).length, 5);
      assert.equal(statuses.filter((s) => s === 429).length, 15);
    } finally {
      await ts.close();
    }
  });

  test('0 turns both limits off, and no X-RateLimit-* headers are sent', async () => {
    const ts = await startTestServer({ workers: '0', rpm: '0', maxConcurrent: '0' });
    try {
      for (let i = 0; i < 40; i++) {
        const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'p' } });
        assert.equal(res.status, 201);
        assert.equal(res.headers.get('x-ratelimit-limit'), null);
      }
    } finally {
      await ts.close();
    }
  });
});
