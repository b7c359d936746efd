import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { events, generations, idempotency, timeOrderedId, webhooks } from '../../src/store/index.js';
import { dialects } from '../helpers/dialects.js';
import { seedClient, seedGeneration } from '../helpers/store-seed.js';

for (const dialect of await dialects()) {
  describe(`extension statements (${dialect.name})`, { skip: dialect.skip }, () => {
    test('a state change logs its event and queues a delivery per interested endpoint and the generation’s own URL, in its transaction', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const client = await seedClient(store);
        const id = await seedGeneration(store, client, 1000);
        const endpoint = (events: string) => ({ id: timeOrderedId(1), client_id: client, url: 'https://e.example/h', secret: 'whsec_x', events, description: null, disabled_at: null, created_at: 1 });
        const all = endpoint('');
        const failedOnly = endpoint('generation.failed');
        const completedOnly = endpoint('generation.completed,file.ready');
        for (const row of [all, failedOnly, completedOnly]) await webhooks.insertEndpoint(store.db, row);
        await webhooks.insertSubscription(store.db, { subject_id: id, client_id: client, url: 'https://r.example/h', events: 'generation.completed', created_at: 1 });

        // A rolled-back change leaves neither event nor delivery.
        await assert.rejects(
          store.transact(async (trx) => {
            await generations.completeGeneration(trx, id, '[]', 2000);
            throw new Error('rollback');
          }),
        );
        assert.equal((await events.listEvents(store.db, { clientId: client, afterId: 0, limit: 10 })).length, 0);

        await store.transact((trx) => generations.completeGeneration(trx, id, '[]', 2000));
        const logged = await events.listEvents(store.db, { clientId: client, subjectId: id, afterId: 0, limit: 10 });
        assert.deepEqual(logged.map((e) => e.type), ['generation.completed']);
        assert.equal(JSON.parse(logged[0].data).state, 'completed');
        assert.equal(await events.lastEventId(store.db, client), Number(logged[0].id));
        const deliveries = (await webhooks.listDeliveries(store.db, client, { subjectId: id }, 10)).map((d) => [d.endpoint_id, d.url, d.state, Number(d.event_id)]);
        assert.deepEqual(
          deliveries.sort(),
          [
            [all.id, all.url, 'pending', Number(logged[0].id)],
            [completedOnly.id, completedOnly.url, 'pending', Number(logged[0].id)],
            [null, 'https://r.example/h', 'pending', Number(logged[0].id)],
          ].sort(),
        );
        const claimed = await webhooks.claimDeliveries(store.db, 3000, 9000, 10);
        assert.equal(claimed.length, 3);
        assert.equal((await webhooks.claimDeliveries(store.db, 3000, 9000, 10)).length, 0, 'leased deliveries are not claimed twice');
      } finally {
        await cleanup();
      }
    });

    test("an endpoint of a key gets its key's events only; a rotated secret signs beside the new one until its grace ends", async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const client = await seedClient(store);
        const id = await seedGeneration(store, client, 1000); // made with key 'k'
        const endpoint = (key: string | null) => ({ id: timeOrderedId(1), client_id: client, api_key_id: key, url: 'https://e.example/h', secret: 'whsec_x', events: '', description: null, disabled_at: null, created_at: 1 });
        const [mine, other, every] = [endpoint('k'), endpoint('k-other'), endpoint(null)];
        for (const row of [mine, other, every]) await webhooks.insertEndpoint(store.db, row);
        await store.transact((trx) => generations.completeGeneration(trx, id, '[]', 2000));
        const to = (await webhooks.listDeliveries(store.db, client, { subjectId: id }, 10)).map((d) => d.endpoint_id).sort();
        assert.deepEqual(to, [mine.id, every.id].sort());

        await webhooks.rotateEndpointSecret(store.db, client, mine.id, 'whsec_new', 5000);
        const rotated = (await webhooks.getEndpoint(store.db, client, mine.id))!;
        assert.deepEqual(webhooks.signingSecrets(rotated, 4999), ['whsec_new', 'whsec_x']);
        assert.deepEqual(webhooks.signingSecrets(rotated, 5000), ['whsec_new']);
      } finally {
        await cleanup();
      }
    });

    test('listing is newest first with filters; idempotency keys are claimed once', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const client = await seedClient(store);
        // As submit makes them: UUIDv7 ids of their creation time.
        const ids = [];
        for (let i = 0; i < 3; i++) {
          const id = timeOrderedId(1000 + i);
          ids.push(id);
          await store.transact((trx) =>
            generations.insertGeneration(trx, {
              id,
              client_id: client,
              api_key_id: 'k',
              type: 'image',
              model: 'uni-1',
              state: i === 1 ? 'failed' : 'queued',
              request: '{}',
              user_id: i === 2 ? 'u' : null,
              output: null,
              failure_code: null,
              failure_reason: null,
              price_micros: 0,
              created_at: 1000 + i,
              updated_at: 1000 + i,
            }),
          );
        }
        const sorted = [...ids].reverse();
        assert.deepEqual((await generations.listGenerations(store.db, client, {}, 10)).map((g) => g.id), sorted);
        assert.deepEqual((await generations.listGenerations(store.db, client, { before: sorted[0] }, 1)).map((g) => g.id), sorted.slice(1, 3));
        assert.deepEqual((await generations.listGenerations(store.db, client, { createdFrom: 1001, createdTo: 1002 }, 10)).map((g) => g.id), [ids[1]]);
        assert.deepEqual((await generations.listGenerations(store.db, client, { state: 'queued' }, 10)).map((g) => g.id), [ids[2], ids[0]]);
        assert.deepEqual((await generations.listGenerations(store.db, client, { state: 'queued', before: ids[2] }, 10)).map((g) => g.id), [ids[0]]);
        assert.deepEqual((await generations.listGenerations(store.db, client, { userId: 'u' }, 10)).map((g) => g.id), [ids[2]]);

        const key = { client_id: client, scope: 'POST /v1/generations', key: 'k', fingerprint: 'f', status: null, body: null, locked_until: 5000, created_at: 1000 };
        assert.equal(await idempotency.claimKey(store.db, key), true);
        assert.equal(await idempotency.claimKey(store.db, key), false);
        assert.equal(await idempotency.takeOverKey(store.db, { ...key, created_at: 2000 }, 0), false, 'held and not expired');
        assert.equal(await idempotency.takeOverKey(store.db, { ...key, created_at: 6000, locked_until: 9000 }, 0), true, 'its holder died');
        await idempotency.saveResponse(store.db, key, 201, '{}');
        assert.equal((await idempotency.getKey(store.db, key))?.status, 201);
      } finally {
        await cleanup();
      }
    });
  });
}
