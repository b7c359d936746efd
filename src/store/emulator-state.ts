import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

const CLOCK_ROW = 1;

/**
 * The virtual clock's time, created at `now` by the first process; `catchUp` moves a stored time
 * that is behind `now` forward to it (a process alone on its store starts at the real time).
 */
export async function startClock(db: Db, now: number, catchUp: boolean): Promise<number> {
  await db
    .insertInto('emulator_clock')
    .values({ id: CLOCK_ROW, now_ms: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  if (catchUp) await db.updateTable('emulator_clock').set({ now_ms: now }).where('id', '=', CLOCK_ROW).where('now_ms', '<', now).execute();
  return readClock(db);
}

export async function readClock(db: Db): Promise<number> {
  const row = await db.selectFrom('emulator_clock').select('now_ms').where('id', '=', CLOCK_ROW).executeTakeFirstOrThrow();
  return Number(row.now_ms);
}

/** Moves the clock forward by `ms` and answers the new time. */
export async function advanceClock(db: Db, ms: number): Promise<number> {
  const row = await db
    .updateTable('emulator_clock')
    .set((eb) => ({ now_ms: eb('now_ms', '+', ms) }))
    .where('id', '=', CLOCK_ROW)
    .returning('now_ms')
    .executeTakeFirstOrThrow();
  return Number(row.now_ms);
}

/** Counts a try of the flaky request `id` and answers how many it has made, this one included. */
export async function countFlakyTry(db: Db, id: string, now: number): Promise<number> {
  const row = await db
    .insertInto('flaky_tries')
    .values({ id, tries: 1, at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ tries: eb('flaky_tries.tries', '+', 1), at: now })))
    .returning('tries')
    .executeTakeFirstOrThrow();
  return Number(row.tries);
}

/** Forgets a flaky request's tries: it went through, so the next one starts again. */
export async function forgetFlaky(db: Db, id: string): Promise<void> {
  await db.deleteFrom('flaky_tries').where('id', '=', id).execute();
}

/** Forgets the tries of requests not retried since `before`. */
export async function pruneFlaky(db: Db, before: number): Promise<void> {
  await db.deleteFrom('flaky_tries').where('at', '<', before).execute();
}

const CHAOS_DRAWS = 'chaos_draws';

/** Counts a submission chaos decides for and answers its number, from 0, across every process. */
export async function drawChaos(db: Db, now: number): Promise<number> {
  await db
    .insertInto('settings')
    .values({ name: CHAOS_DRAWS, value: '0', created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .updateTable('settings')
    .set({ value: sql<string>`cast(cast(value as bigint) + 1 as text)` })
    .where('name', '=', CHAOS_DRAWS)
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value) - 1;
}
