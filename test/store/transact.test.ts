import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { clients, ledger, timeOrderedId } from '../../src/store/index.js';
import { dialects } from '../helpers/dialects.js';

for (const dialect of await dialects()) {
  describe(`transactions on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('concurrent transactions each commit or roll back alone, even when they share a commit', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const clientId = randomUUID();
        await clients.insertClient(store.db, { id: clientId, name: 'c', status: 'active', rpm_limit: null, max_concurrent: null, balance_micros: 500, created_at: 0 });
        // 20 debits of 100 against a balance of 500, all asked for at once: exactly 5 can commit.
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            store.transact(async (trx) => {
              await ledger.appendLedger(trx, { client_id: clientId, kind: 'debit', amount_micros: -100, generation_id: null, user_id: null, reason: `debit ${i}`, created_at: i });
              if (!(await ledger.moveFunds(trx, clientId, -100))) throw new Error('insufficient');
              return i;
            }),
          ),
        );
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 5);
        assert.equal(outcomes.filter((o) => o.status === 'rejected' && (o.reason as Error).message === 'insufficient').length, 15);
        assert.equal(await ledger.getBalance(store.db, clientId), 0);
        const entries = await store.db.selectFrom('ledger').select('amount_micros').where('client_id', '=', clientId).execute();
        assert.equal(entries.length, 5, 'a failed transaction leaves no ledger entry behind');
      } finally {
        await cleanup();
      }
    });
  });
}

test('ids made later sort later, and are UUIDv7', () => {
  const ids = [1, 2, 1000, 2 ** 40].map((ms) => timeOrderedId(ms));
  assert.deepEqual([...ids].sort(), ids);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(timeOrderedId(5), timeOrderedId(5));
});
