import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generations, ledger } from '../../src/store/index.js';
import { dialects } from '../helpers/dialects.js';
import { seedClient, seedGeneration } from '../helpers/store-seed.js';

for (const dialect of await dialects()) {
  describe(`hot reads on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('a hot read sees every committed write, and none that rolled back', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const clientId = await seedClient(store);
        const id = await seedGeneration(store, clientId, 1000);
        const first = await generations.getGeneration(store, id, clientId);
        assert.equal(first?.state, 'queued');
        assert.equal(await ledger.readBalance(store, clientId), null);
        if (dialect.name === 'sqlite') {
          await store.db.updateTable('generations').set({ updated_at: 0 }).where('id', '=', 'no-such-id').execute();
          assert.equal(await generations.getGeneration(store, id, clientId), first, 'a write that changed nothing keeps the cached read');
        }

        await store.transact(async (trx) => {
          await trx.updateTable('clients').set({ balance_micros: 700 }).where('id', '=', clientId).execute();
          await generations.completeGeneration(trx, id, '[]', 2000);
        });
        assert.equal((await generations.getGeneration(store, id, clientId))?.state, 'completed');
        assert.equal(await ledger.readBalance(store, clientId), 700);

        await assert.rejects(
          store.transact(async (trx) => {
            await trx.updateTable('clients').set({ balance_micros: 1 }).where('id', '=', clientId).execute();
            assert.equal(await ledger.readBalance(store, clientId), 700, 'uncommitted writes are not visible');
            throw new Error('roll back');
          }),
          /roll back/,
        );
        assert.equal(await ledger.readBalance(store, clientId), 700);

        await store.db.updateTable('clients').set({ balance_micros: 9 }).where('id', '=', clientId).execute();
        assert.equal(await ledger.readBalance(store, clientId), 9);
      } finally {
        await cleanup();
      }
    });
  });
}
