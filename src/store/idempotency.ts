import type { Kysely, Transaction } from 'kysely';
import type { Database, IdempotencyKeyTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export type KeyId = Pick<IdempotencyKeyTable, 'client_id' | 'scope' | 'key'>;

const byId = <Q extends { where: Function }>(query: Q, id: KeyId): Q =>
  query.where('client_id', '=', id.client_id).where('scope', '=', id.scope).where('key', '=', id.key) as Q;

/** Takes a key that was never used; false when a row exists. */
export async function claimKey(db: Db, row: IdempotencyKeyTable): Promise<boolean> {
  const result = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['client_id', 'scope', 'key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function getKey(db: Db, id: KeyId) {
  return byId(db.selectFrom('idempotency_keys').selectAll(), id).executeTakeFirst();
}

/** Takes over a key whose use expired (`created_at` before `expiredBefore`) or whose holder died (lock lapsed). */
export async function takeOverKey(db: Db, row: IdempotencyKeyTable, expiredBefore: number): Promise<boolean> {
  const result = await byId(db.updateTable('idempotency_keys'), row)
    .set({ fingerprint: row.fingerprint, status: null, body: null, locked_until: row.locked_until, created_at: row.created_at })
    .where((eb) => eb.or([eb('created_at', '<', expiredBefore), eb.and([eb('status', 'is', null), eb('locked_until', '<', row.created_at)])]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function saveResponse(db: Db, id: KeyId, status: number, body: string): Promise<void> {
  await byId(db.updateTable('idempotency_keys'), id).set({ status, body, locked_until: null }).execute();
}

/** Forgets an in-flight key whose request ended in a retryable way, so a retry runs again. */
export async function releaseKey(db: Db, id: KeyId): Promise<void> {
  await byId(db.deleteFrom('idempotency_keys'), id).where('status', 'is', null).execute();
}

export async function pruneKeys(db: Db, before: number): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
