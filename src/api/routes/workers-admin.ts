import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../clock.js';
import { heartbeats, type HeartbeatTable, type Store } from '../../store/index.js';

/** Processes that stopped or went silent stay listed this long. */
const LISTED_FOR_MS = 60 * 60 * 1000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A process as an operator reads it; `alive` = running and heard from within three heartbeats. */
function processView(row: HeartbeatTable, now: number) {
  return {
    id: row.id,
    role: row.role,
    alive: heartbeats.isAlive(row, now),
    host: row.host,
    pid: row.pid,
    version: row.version,
    worker_slots: row.worker_slots,
    jobs_running: row.jobs_running,
    running: JSON.parse(row.running) as string[],
    started_at: iso(row.started_at),
    last_seen_at: iso(row.last_seen_at),
    stopped_at: iso(row.stopped_at),
  };
}

/**
 * `/admin/v1/workers`: every server process (serve, api, worker) seen in the last hour, alive or
 * not, from the heartbeats each records in the store. Registered inside the admin scope.
 * Heartbeats keep wall time even under `--clock virtual`.
 */
export function workerRoutes(scope: FastifyInstance, deps: { store: Store }): void {
  scope.get('/workers', async () => {
    const now = systemClock.now();
    const rows = await heartbeats.listHeartbeats(deps.store.db, now - LISTED_FOR_MS);
    return { data: rows.map((row) => processView(row, now)) };
  });
}
