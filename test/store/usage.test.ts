import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { clients, generations, usage } from '../../src/store/index.js';
import { dialects } from '../helpers/dialects.js';

const DAY = 86_400_000;

for (const dialect of await dialects()) {
  describe(`usage on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('totals and groups count by state and cost only what was not refunded', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const clientId = randomUUID();
        await clients.insertClient(store.db, { id: clientId, name: 'c', status: 'active', rpm_limit: null, max_concurrent: null, balance_micros: null, created_at: 0 });
        const rows: Array<[string | null, string, string, number, number]> = [
          ['u1', 'uni-1', 'completed', 40_400, 10 * DAY + 5],
          ['u1', 'uni-1-max', 'failed', 100_000, 10 * DAY + 6],
          ['u2', 'uni-1', 'queued', 43_400, 11 * DAY],
          [null, 'uni-1', 'completed', 40_400, 12 * DAY],
          ['u3', 'uni-1', 'completed', 40_400, 40 * DAY],
        ];
        for (const [userId, model, state, price, at] of rows) {
          await generations.insertGeneration(store.db, {
            id: randomUUID(), client_id: clientId, api_key_id: 'k', type: 'image', model, state: state as 'queued', request: '{}',
            user_id: userId, output: null, failure_code: null, failure_reason: null, price_micros: price, created_at: at, updated_at: at,
          });
        }
        const range = { clientId, start: 10 * DAY, end: 13 * DAY };
        const [totals] = await usage.usageRows(store.db, range);
        assert.deepEqual(totals, { key: '', generations: 4, queued: 1, processing: 0, completed: 2, failed: 1, cost_micros: 124_200 });

        const byUser = await usage.usageRows(store.db, { ...range, groupBy: 'user_id', limit: 2 });
        assert.deepEqual(byUser.map((r) => [r.key, r.generations, r.cost_micros]), [['', 1, 40_400], ['u1', 2, 40_400]]);
        const next = await usage.usageRows(store.db, { ...range, groupBy: 'user_id', after: 'u1', limit: 2 });
        assert.deepEqual(next.map((r) => r.key), ['u2']);

        const byDay = await usage.usageRows(store.db, { ...range, groupBy: 'day' });
        assert.deepEqual(byDay.map((r) => [r.key, r.generations]), [['10', 2], ['11', 1], ['12', 1]]);
        const byModel = await usage.usageRows(store.db, { ...range, groupBy: 'model', userId: 'u1' });
        assert.deepEqual(byModel.map((r) => [r.key, r.failed]), [['uni-1', 0], ['uni-1-max', 1]]);

        // Day × model, across the rollup's whole days and the partial ones read raw, paged on the pair.
        const wide = { clientId, start: 10 * DAY + 6, end: 40 * DAY + 1 };
        const dayModel = await usage.usageRows(store.db, { ...wide, groupBy: ['day', 'model'] });
        assert.deepEqual(
          dayModel.map((r) => [r.key, r.subkey, r.generations, r.cost_micros]),
          [['10', 'uni-1-max', 1, 0], ['11', 'uni-1', 1, 43_400], ['12', 'uni-1', 1, 40_400], ['40', 'uni-1', 1, 40_400]],
        );
        const page = await usage.usageRows(store.db, { ...wide, groupBy: ['day', 'model'], after: ['11', 'uni-1'], limit: 1 });
        assert.deepEqual(page.map((r) => [r.key, r.subkey]), [['12', 'uni-1']]);
        const modelDay = await usage.usageRows(store.db, { ...range, groupBy: ['model', 'day'], userId: 'u1' });
        assert.deepEqual(modelDay.map((r) => [r.key, r.subkey]), [['uni-1', '10'], ['uni-1-max', '10']]);
      } finally {
        await cleanup();
      }
    });

    test('ranges that cut days in parts agree with counting every generation, as states change', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const clientId = randomUUID();
        await clients.insertClient(store.db, { id: clientId, name: 'c', status: 'active', rpm_limit: null, max_concurrent: null, balance_micros: null, created_at: 0 });
        const made: Array<{ id: string; at: number; price: number; user: string | null }> = [];
        for (let i = 0; i < 40; i++) {
          const at = 5 * DAY + Math.floor((i * DAY) / 7) + 13;
          const entry = { id: randomUUID(), at, price: 1000 + i, user: i % 3 ? `u${i % 4}` : null };
          made.push(entry);
          await generations.insertGeneration(store.db, {
            id: entry.id, client_id: clientId, api_key_id: 'k', type: i % 2 ? 'image' : 'image_edit', model: 'uni-1', state: 'queued', request: '{}',
            user_id: entry.user, output: null, failure_code: null, failure_reason: null, price_micros: entry.price, created_at: at, updated_at: at,
          });
        }
        const outcome = (i: number) => (i % 5 === 0 ? 'failed' : i % 5 === 1 ? 'queued' : 'completed');
        for (const [i, entry] of made.entries()) {
          if (outcome(i) === 'completed') assert.equal(await generations.completeGeneration(store.db, entry.id, '[]', 0), true);
          if (outcome(i) === 'failed') assert.equal(await generations.failGeneration(store.db, entry.id, { code: 'generation_failed', reason: 'x' }, 0), true);
        }
        assert.equal(await generations.completeGeneration(store.db, made[0].id, '[]', 0), false, 'a failed generation stays failed and is counted once');

        const expected = (start: number, end: number, userId?: string) => {
          const picked = made.flatMap((e, i) => (e.at >= start && e.at < end && (userId === undefined || e.user === userId) ? [{ ...e, state: outcome(i) }] : []));
          const count = (state: string) => picked.filter((e) => e.state === state).length;
          return {
            key: '',
            generations: picked.length,
            queued: count('queued'),
            processing: 0,
            completed: count('completed'),
            failed: count('failed'),
            cost_micros: picked.filter((e) => e.state !== 'failed').reduce((sum, e) => sum + e.price, 0),
          };
        };
        for (const [start, end] of [[5 * DAY + 40_000_000, 9 * DAY + 7], [6 * DAY, 8 * DAY], [6 * DAY + 1, 6 * DAY + 50_000_000], [0, 20 * DAY]]) {
          assert.deepEqual((await usage.usageRows(store.db, { clientId, start, end }))[0], expected(start, end), `[${start}, ${end})`);
          assert.deepEqual((await usage.usageRows(store.db, { clientId, start, end, userId: 'u1' }))[0], expected(start, end, 'u1'));
          const byDay = await usage.usageRows(store.db, { clientId, start, end, groupBy: 'day' });
          assert.equal(byDay.reduce((sum, r) => sum + r.cost_micros, 0), expected(start, end).cost_micros);
        }
      } finally {
        await cleanup();
      }
    });

    test('usage of concurrent transactions adds up once they commit, and a rolled-back one adds nothing', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const clientId = randomUUID();
        await clients.insertClient(store.db, { id: clientId, name: 'c', status: 'active', rpm_limit: null, max_concurrent: null, balance_micros: null, created_at: 0 });
        // Asked for at once, so on SQLite they share commits; every fifth throws after counting.
        const outcomes = await Promise.allSettled(
          Array.from({ length: 40 }, (_, i) =>
            store.transact(async (trx) => {
              await generations.insertGeneration(trx, {
                id: randomUUID(), client_id: clientId, api_key_id: 'k', type: 'image', model: i % 2 ? 'uni-1' : 'uni-1-max', state: 'queued', request: '{}',
                user_id: `u${i % 3}`, output: null, failure_code: null, failure_reason: null, price_micros: 100, created_at: DAY + i, updated_at: DAY + i,
              });
              if (i % 5 === 4) throw new Error('refused');
            }),
          ),
        );
        assert.equal(outcomes.filter((o) => o.status === 'rejected').length, 8);
        const range = { clientId, start: DAY, end: 2 * DAY };
        const [totals] = await usage.usageRows(store.db, range);
        assert.deepEqual(totals, { key: '', generations: 32, queued: 32, processing: 0, completed: 0, failed: 0, cost_micros: 3_200 });
        const committed = Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 5 !== 4);
        const byUser = await usage.usageRows(store.db, { ...range, groupBy: 'user_id' });
        assert.deepEqual(
          byUser.map((r) => [r.key, r.generations]),
          ['u0', 'u1', 'u2'].map((user, u) => [user, committed.filter((i) => i % 3 === u).length]),
        );
        const byModel = await usage.usageRows(store.db, { ...range, groupBy: 'model' });
        assert.deepEqual(byModel.map((r) => [r.key, r.generations]), [['uni-1', 16], ['uni-1-max', 16]]);
      } finally {
        await cleanup();
      }
    });
  });
}
