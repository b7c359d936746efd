import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { countFinishedSince, countOpenGenerations, listGenerationsReferencing, oldestQueuedAt } from '../../src/store/operations.js';
import { dialects } from '../helpers/dialects.js';

for (const dialect of await dialects()) {
  test(`${dialect.name}: the queue view's statements count open work per engine, model and client`, { skip: dialect.skip }, async () => {
    const { store, cleanup } = await dialect.open();
    try {
      const client = randomUUID();
      await store.db.insertInto('clients').values({ id: client, name: 'ops', status: 'active', rpm_limit: null, max_concurrent: null, balance_micros: null, created_at: 0 }).execute();
      const row = (id: string, state: 'queued' | 'processing' | 'completed', at: number, request = '{}') => ({
        id, client_id: client, api_key_id: 'k', type: 'image', model: 'uni-1', state, request, user_id: null, output: null,
        failure_code: null, failure_reason: null, price_micros: 0, created_at: at, updated_at: at,
      });
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      await store.db.insertInto('generations').values([row(a, 'queued', 1000), row(b, 'processing', 2000), row(c, 'completed', 3000, `{"source":{"generation_id":"${a}"}}`)]).execute();
      assert.deepEqual(await countOpenGenerations(store.db, 'engine'), [{ key: 'local', queued: 1, processing: 1 }]);
      assert.deepEqual(await countOpenGenerations(store.db, 'model'), [{ key: 'uni-1', queued: 1, processing: 1 }]);
      assert.deepEqual(await countOpenGenerations(store.db, 'client_id'), [{ key: client, queued: 1, processing: 1 }]);
      assert.equal(await oldestQueuedAt(store.db), 1000);
      assert.equal(await countFinishedSince(store.db, 'completed', 2500), 1);
      assert.deepEqual((await listGenerationsReferencing(store.db, client, a, 10)).map((g) => g.id), [c]);
    } finally {
      await cleanup();
    }
  });
}
