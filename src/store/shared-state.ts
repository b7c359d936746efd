import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Stores `value` under `name` unless one is stored already, and returns the stored one: every process gets the first. */
export async function settingOnce(db: Db, name: string, value: string, now: number): Promise<string> {
  await db
    .insertInto('settings')
    .values({ name, value, created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

/** The value stored under `name`, if any. */
export async function readSetting(db: Db, name: string): Promise<string | null> {
  const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value ?? null;
}

/** Stores `value` under `name`, replacing what was there. */
export async function putSetting(db: Db, name: string, value: string, now: number): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name, value, created_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, created_at: now }))
    .execute();
}

export async function deleteSetting(db: Db, name: string): Promise<void> {
  await db.deleteFrom('settings').where('name', '=', name).execute();
}

/** Drops a client's hits that left the window. */
export async function pruneRateHits(db: Db, clientId: string, since: number): Promise<void> {
  await db.deleteFrom('rate_hits').where('client_id', '=', clientId).where('at', '<=', since).execute();
}

/** The client's hits in the window: how many, and the oldest. */
export async function readRateWindow(db: Db, clientId: string, since: number): Promise<{ count: number; oldest: number | null }> {
  const row = await db
    .selectFrom('rate_hits')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min<number | null>('at').as('oldest')])
    .where('client_id', '=', clientId)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldest: row.oldest === null ? null : Number(row.oldest) };
}

export async function insertRateHit(db: Db, clientId: string, at: number): Promise<void> {
  await db.insertInto('rate_hits').values({ client_id: clientId, at }).execute();
}
