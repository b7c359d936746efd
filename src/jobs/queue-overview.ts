import { isoSeconds } from '../clock.js';
import { clients, type Store } from '../store/index.js';
import { countFinishedSince, countOpenGenerations, oldestQueuedAt } from '../store/operations.js';

const MINUTE = 60_000;

/** The operator's view of the queue: open work per engine, model and client, the oldest wait and recent throughput. */
export async function queueOverview(store: Store, now: number) {
  const [byModel, byClient, byEngine, oldest, completedMinute, failedMinute, completedHour, failedHour, clientRows] = await Promise.all([
    countOpenGenerations(store.db, 'model'),
    countOpenGenerations(store.db, 'client_id'),
    countOpenGenerations(store.db, 'engine'),
    oldestQueuedAt(store.db),
    countFinishedSince(store.db, 'completed', now - MINUTE),
    countFinishedSince(store.db, 'failed', now - MINUTE),
    countFinishedSince(store.db, 'completed', now - 60 * MINUTE),
    countFinishedSince(store.db, 'failed', now - 60 * MINUTE),
    clients.listClients(store.db),
  ]);
  const names = new Map(clientRows.map((c) => [c.id, c.name]));
  const total = (key: 'queued' | 'processing') => byModel.reduce((sum, g) => sum + g[key], 0);
  return {
    now: isoSeconds(now),
    queued: total('queued'),
    processing: total('processing'),
    oldest_queued_at: oldest === null ? null : isoSeconds(oldest),
    oldest_wait_seconds: oldest === null ? null : Math.max(0, Math.round((now - oldest) / 1000)),
    by_model: byModel.map((g) => ({ model: g.key, queued: g.queued, processing: g.processing })),
    by_engine: byEngine.map((g) => ({ engine: g.key, queued: g.queued, processing: g.processing })),
    by_client: byClient.map((g) => ({ client_id: g.key, name: names.get(g.key) ?? null, queued: g.queued, processing: g.processing })),
    throughput: {
      last_minute: { completed: completedMinute, failed: failedMinute },
      last_hour: { completed: completedHour, failed: failedHour },
    },
  };
}
