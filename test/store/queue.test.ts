import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generations, queue } from '../../src/store/index.js';
import { dialects } from '../helpers/dialects.js';
import { seedClient, seedGeneration } from '../helpers/store-seed.js';

for (const dialect of await dialects()) {
  describe(`queue on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('a due job is leased to exactly one worker, and again only after its lease expires', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const client = await seedClient(store);
        const id = await seedGeneration(store, client, 1000);
        const first = await queue.claimJobs(store.db, store.dialect, { workerId: 'w1', limit: 5, now: 1000, leaseMs: 500 });
        assert.deepEqual(first, [{ generation_id: id, attempts: 1, max_attempts: 3, lane: null }]);
        assert.deepEqual(await queue.claimJobs(store.db, store.dialect, { workerId: 'w2', limit: 5, now: 1400, leaseMs: 500 }), []);
        const second = await queue.claimJobs(store.db, store.dialect, { workerId: 'w2', limit: 5, now: 1501, leaseMs: 500 });
        assert.deepEqual(second, [{ generation_id: id, attempts: 2, max_attempts: 3, lane: null }]);
        assert.equal(await queue.deleteJob(store.db, id, 'w1'), false, 'the first worker lost its lease');
        assert.equal(await queue.renewLease(store.db, id, 'w1', 9999), false);
        assert.equal(await queue.deleteJob(store.db, id, 'w2'), true);
        assert.equal(await queue.countJobs(store.db), 0);
      } finally {
        await cleanup();
      }
    });

    test('parallel claims never hand out the same job twice', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const client = await seedClient(store);
        const ids = new Set<string>();
        for (let i = 0; i < 20; i++) ids.add(await seedGeneration(store, client, 1000));
        const claims = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            queue.claimJobs(store.db, store.dialect, { workerId: `w${i}`, limit: 1, now: 2000, leaseMs: 60_000 }),
          ),
        );
        const claimed = claims.flat().map((j) => j.generation_id);
        assert.equal(claimed.length, 20);
        assert.deepEqual(new Set(claimed), ids);
      } finally {
        await cleanup();
      }
    });

    test('a claim can leave the jobs of some generation types queued', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const client = await seedClient(store);
        const video = await seedGeneration(store, client, 1000, 3, 'video_edit');
        const image = await seedGeneration(store, client, 1001);
        const skipTypes = ['video', 'video_edit', 'video_reframe'];
        const first = await queue.claimJobs(store.db, store.dialect, { workerId: 'w1', limit: 5, now: 2000, leaseMs: 500, skipTypes });
        assert.deepEqual(first.map((j) => j.generation_id), [image]);
        assert.deepEqual(await queue.claimJobs(store.db, store.dialect, { workerId: 'w1', limit: 5, now: 2000, leaseMs: 500, skipTypes }), []);
        const second = await queue.claimJobs(store.db, store.dialect, { workerId: 'w2', limit: 5, now: 2000, leaseMs: 500 });
        assert.deepEqual(second, [{ generation_id: video, attempts: 1, max_attempts: 3, lane: null }]);
      } finally {
        await cleanup();
      }
    });

    test('releasing gives the attempt back; retrying delays the job', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const client = await seedClient(store);
        const id = await seedGeneration(store, client, 1000);
        await queue.claimJobs(store.db, store.dialect, { workerId: 'w1', limit: 1, now: 1000, leaseMs: 500 });
        await queue.releaseJob(store.db, id, 'w1');
        const again = await queue.claimJobs(store.db, store.dialect, { workerId: 'w2', limit: 1, now: 1001, leaseMs: 500 });
        assert.equal(again[0].attempts, 1);
        await queue.retryJob(store.db, id, 'w2', 5000, 'boom');
        assert.deepEqual(await queue.claimJobs(store.db, store.dialect, { workerId: 'w3', limit: 1, now: 4999, leaseMs: 500 }), []);
        assert.equal((await queue.claimJobs(store.db, store.dialect, { workerId: 'w3', limit: 1, now: 5000, leaseMs: 500 })).length, 1);
      } finally {
        await cleanup();
      }
    });

    test('a job whose attempts all died is listed as exhausted once its last lease ran out', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const client = await seedClient(store);
        const id = await seedGeneration(store, client, 1000, 1);
        await queue.claimJobs(store.db, store.dialect, { workerId: 'w1', limit: 1, now: 1000, leaseMs: 500 });
        assert.deepEqual(await queue.listExhaustedJobs(store.db, 1200), []);
        assert.deepEqual(await queue.claimJobs(store.db, store.dialect, { workerId: 'w2', limit: 1, now: 2000, leaseMs: 500 }), []);
        const exhausted = await queue.listExhaustedJobs(store.db, 2000);
        assert.deepEqual(exhausted.map((j) => j.generation_id), [id]);
        assert.equal(await queue.deleteExhaustedJob(store.db, id, 2000), true);
        assert.equal(await generations.failGeneration(store.db, id, { code: 'generation_failed', reason: 'x' }, 2000), true);
        assert.equal(await generations.completeGeneration(store.db, id, '[]', 2001), false, 'terminal states are final');
        assert.equal((await generations.getGenerationById(store.db, id))?.state, 'failed');
      } finally {
        await cleanup();
      }
    });

    test('active generations count per client, within the slot window', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const a = await seedClient(store);
        const b = await seedClient(store);
        const g1 = await seedGeneration(store, a, 1000);
        await seedGeneration(store, a, 5000);
        await seedGeneration(store, b, 5000);
        assert.equal(await generations.countActiveGenerations(store.db, a, 0), 2);
        assert.equal(await generations.countActiveGenerations(store.db, a, 1000), 1, 'slots older than the window are pruned');
        await generations.completeGeneration(store.db, g1, '[]', 6000);
        assert.equal(await generations.countActiveGenerations(store.db, a, 0), 1);
        await store.db.transaction().execute(async (trx) => generations.lockClient(trx, store.dialect, a));
      } finally {
        await cleanup();
      }
    });
  });
}
