import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { clients, queue, type Store } from '../../src/store/index.js';
import { dialects } from '../helpers/dialects.js';
import { seedClient, seedGeneration } from '../helpers/store-seed.js';

async function seed(store: Store, now: number): Promise<{ clientId: string; generationId: string }> {
  const clientId = await seedClient(store);
  return { clientId, generationId: await seedGeneration(store, clientId, now) };
}

for (const dialect of await dialects()) {
  describe(`emulator store statements on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('a deferred job is not claimable until its time and keeps its attempts', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const { generationId } = await seed(store, 1_000);
        const claim = (now: number) => queue.claimJobs(store.db, store.dialect, { workerId: 'w', limit: 1, now, leaseMs: 100 });
        assert.equal((await claim(1_000)).length, 1);
        await queue.deferJob(store.db, generationId, 'w', 5_000);
        assert.equal((await claim(4_999)).length, 0);
        const [again] = await claim(5_000);
        assert.equal(again.generation_id, generationId);
        assert.equal(again.attempts, 1, 'the deferral gave its attempt back');
        await queue.deferJob(store.db, generationId, 'someone-else', 9_000);
        assert.equal((await claim(6_000)).length, 1, 'only the holder of the lease can defer the job');
      } finally {
        await cleanup();
      }
    });

    test("a key's fault is stored, read with the key and cleared (migration 005)", async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const { clientId } = await seed(store, 0);
        const id = randomUUID();
        await clients.insertApiKey(store.db, { id, client_id: clientId, key_hash: 'ab'.repeat(32), prefix: 'luma-api-x', created_at: 0, expires_at: null, revoked_at: null, fault: 'stuck' });
        assert.equal((await clients.findApiKeyByHash(store.db, 'ab'.repeat(32)))?.fault, 'stuck');
        assert.equal((await clients.listApiKeys(store.db, clientId))[0].fault, 'stuck');
        await clients.updateApiKey(store.db, id, { fault: null });
        assert.equal((await clients.getApiKey(store.db, id))?.fault, null);
      } finally {
        await cleanup();
      }
    });
  });
}
