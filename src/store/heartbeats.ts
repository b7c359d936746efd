import type { Kysely, Transaction } from 'kysely';
import type { Database, HeartbeatTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Records (or refreshes) a process's heartbeat. */
export async function recordHeartbeat(db: Db, beat: HeartbeatTable): Promise<void> {
  const { id: _id, started_at: _started, ...changing } = beat;
  await db
    .insertInto('heartbeats')
    .values(beat)
    .onConflict((oc) => oc.column('id').doUpdateSet(changing))
    .execute();
}

/** Marks a process that drained and exited. */
export async function markStopped(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('heartbeats').set({ stopped_at: now, last_seen_at: now, jobs_running: 0, running: '[]' }).where('id', '=', id).execute();
}

/** Every process seen since `since`, newest start first. */
export async function listHeartbeats(db: Db, since: number): Promise<HeartbeatTable[]> {
  return db.selectFrom('heartbeats').selectAll().where('last_seen_at', '>=', since).orderBy('started_at', 'desc').orderBy('id').execute();
}

/** Forgets processes silent since before `before`. */
export async function pruneHeartbeats(db: Db, before: number): Promise<void> {
  await db.deleteFrom('heartbeats').where('last_seen_at', '<', before).execute();
}

/** Running, and heard from within three of its heartbeats. */
export function isAlive(row: Pick<HeartbeatTable, 'stopped_at' | 'last_seen_at' | 'interval_ms'>, now: number): boolean {
  return row.stopped_at === null && now - row.last_seen_at <= 3 * row.interval_ms;
}

/** Processes that run jobs and are alive now (running, heard from within three heartbeats, as the admin view reads it). */
export async function countLiveWorkerProcesses(db: Db, now: number): Promise<number> {
  const row = await db
    .selectFrom('heartbeats')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('stopped_at', 'is', null)
    .where('worker_slots', '>', 0)
    .where((eb) => eb(eb('last_seen_at', '+', eb('interval_ms', '*', 3)), '>=', now))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
