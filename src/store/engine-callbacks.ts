import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Keeps the latest post about an upstream job; a terminal one is never replaced. */
export async function saveCallback(db: Db, engine: string, upstreamId: string, payload: string, terminal: boolean, now: number): Promise<void> {
  await db
    .insertInto('engine_callbacks')
    .values({ engine, upstream_id: upstreamId, payload, terminal: terminal ? 1 : 0, received_at: now })
    .onConflict((oc) =>
      oc
        .columns(['engine', 'upstream_id'])
        .doUpdateSet({ payload, terminal: terminal ? 1 : 0, received_at: now })
        .where('engine_callbacks.terminal', '=', 0),
    )
    .execute();
}

export async function getCallback(db: Db, engine: string, upstreamId: string): Promise<{ payload: string; terminal: number } | undefined> {
  return db.selectFrom('engine_callbacks').select(['payload', 'terminal']).where('engine', '=', engine).where('upstream_id', '=', upstreamId).executeTakeFirst();
}

/** Drops posts older than `before`: their jobs ended or gave up long ago. */
export async function deleteCallbacksBefore(db: Db, before: number): Promise<void> {
  await db.deleteFrom('engine_callbacks').where('received_at', '<', before).execute();
}
