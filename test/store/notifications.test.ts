import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { channelName, LISTENER_NAME } from '../../src/store/notifications.js';
import type { Channel, Channels, Store } from '../../src/store/index.js';
import { dialects, POSTGRES_URL } from '../helpers/dialects.js';

/** Collects what a channel delivers; `next` waits for the next payload (or fails after `ms`). */
function collect<C extends Channel>(store: Store, channel: C) {
  const seen: Array<Channels[C]> = [];
  let waiter: (() => void) | null = null;
  const off = store.notifications.subscribe(channel, (payload) => {
    seen.push(payload);
    waiter?.();
  });
  return {
    seen,
    off,
    async until(count: number, ms = 3000): Promise<void> {
      const deadline = Date.now() + ms;
      while (seen.length < count) {
        if (Date.now() > deadline) throw new Error(`${channel}: ${seen.length} of ${count} notifications after ${ms} ms`);
        await new Promise<void>((resolve) => {
          waiter = resolve;
          setTimeout(resolve, 20);
        });
      }
    },
  };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const dialect of await dialects()) {
  describe(`notifications on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('a notification published in a transaction arrives only after the commit, and a rolled-back one never', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const jobs = collect(store, 'job:new');
        await settle(200); // Postgres: the listening connection comes up
        let seenInside = -1;
        await store.transact(async (trx) => {
          await store.notifications.publish(trx, 'job:new', { generationId: 'committed' });
          await settle(150);
          seenInside = jobs.seen.length;
        });
        await assert.rejects(
          store.transact(async (trx) => {
            await store.notifications.publish(trx, 'job:new', { generationId: 'rolled-back' });
            throw new Error('refused');
          }),
          /refused/,
        );
        await store.notifications.publish(store.db, 'job:new', { generationId: 'outside' });
        await jobs.until(2);
        await settle(150);
        assert.equal(seenInside, 0, 'nothing is delivered while the transaction is open');
        assert.deepEqual(
          jobs.seen.map((p) => p.generationId),
          ['committed', 'outside'],
        );
      } finally {
        await cleanup();
      }
    });

    test('group-committed transactions deliver what each committed, and nothing of one that failed', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const changes = collect(store, 'generation:changed');
        await settle(200);
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            store.transact(async (trx) => {
              await store.notifications.publish(trx, 'generation:changed', { clientId: 'c', generationId: `g${i}`, state: 'queued' });
              if (i === 3) throw new Error('refused');
            }),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
        await changes.until(9);
        await settle(150);
        assert.deepEqual(changes.seen.map((c) => c.generationId).sort(), ['g0', 'g1', 'g2', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9']);
        assert.deepEqual(changes.seen[0], { clientId: 'c', generationId: changes.seen[0].generationId, state: 'queued' });
      } finally {
        await cleanup();
      }
    });

    test('an unsubscribed listener hears nothing more, and a throwing listener does not stop the others', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const first = collect(store, 'file:uploaded');
        store.notifications.subscribe('file:uploaded', () => {
          throw new Error('a bad listener');
        });
        const second = collect(store, 'file:uploaded');
        await settle(200);
        await store.notifications.publish(store.db, 'file:uploaded', { fileId: 'a' });
        await first.until(1);
        await second.until(1);
        first.off();
        await store.notifications.publish(store.db, 'file:uploaded', { fileId: 'b' });
        await second.until(2);
        await settle(100);
        assert.equal(first.seen.length, 1);
      } finally {
        await cleanup();
      }
    });
  });
}

const postgres = (await dialects()).find((d) => d.name === 'postgres')!;

describe('notifications across Postgres processes', { skip: postgres.skip }, () => {
  test("another store on the same schema hears what this one commits; one on another schema doesn't", async () => {
    const first = await postgres.open();
    const elsewhere = await postgres.open();
    try {
      const second = await first.another();
      const heard = collect(second, 'job:new');
      const stranger = collect(elsewhere.store, 'job:new');
      await settle(300);
      await first.store.transact(async (trx) => first.store.notifications.publish(trx, 'job:new', { generationId: 'g1' }));
      await heard.until(1);
      await settle(200);
      assert.deepEqual(heard.seen, [{ generationId: 'g1' }]);
      assert.equal(stranger.seen.length, 0);
    } finally {
      await elsewhere.cleanup();
      await first.cleanup();
    }
  });

  test('a dropped listening connection reconnects by itself, logs it, reports the gap, and delivers again', async () => {
    const { store, schema, cleanup } = await postgres.open();
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      const lines: Array<{ msg: string }> = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
      store.notifications.useLogger(logger);
      let gaps = 0;
      store.notifications.onGap(() => gaps++);
      const jobs = collect(store, 'job:new');
      await settle(300);
      // Only this test's listener: its LISTEN names the test's schema.
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE $2`,
        [LISTENER_NAME, `%${schema}%`],
      );
      assert.equal(killed.rowCount, 1, 'the listening connection was found');
      const deadline = Date.now() + 5000;
      while (gaps === 0 && Date.now() < deadline) await settle(50);
      assert.equal(gaps, 1, 'the gap is reported once the connection is back');
      assert.ok(lines.some((l) => l.msg === 'notification connection lost; reconnecting'));
      assert.ok(lines.some((l) => l.msg === 'notification connection restored'));
      await store.notifications.publish(store.db, 'job:new', { generationId: 'after' });
      await jobs.until(1);
      assert.deepEqual(jobs.seen, [{ generationId: 'after' }]);
    } finally {
      await admin.end();
      await cleanup();
    }
  });

  test('channel names carry the schema and stay within 63 bytes', () => {
    assert.equal(channelName('atelier_test_ab', 'job:new'), 'atelier.atelier_test_ab.job:new');
    const long = channelName('s'.repeat(60), 'generation:changed');
    assert.ok(Buffer.byteLength(long) <= 63);
    assert.notEqual(long, channelName('t'.repeat(60), 'generation:changed'));
  });
});
