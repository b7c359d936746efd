import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Read-only statements behind the operator's queue view: one function per statement. */

export interface QueueGroup {
  key: string;
  queued: number;
  processing: number;
}

/** Local CPU work, as the queue view names it. */
export const LOCAL_ENGINE = 'local';

/**
 * Non-terminal generations counted per model, client or engine. The engine is the remote engine
 * serving one, else the one its job is lined up for, else local CPU work.
 */
export async function countOpenGenerations(db: Kysely<Database>, by: 'model' | 'client_id' | 'engine'): Promise<QueueGroup[]> {
  const rows = await db
    .selectFrom('generations')
    .leftJoin('jobs', 'jobs.generation_id', 'generations.id')
    .select((eb) => [
      (by === 'engine'
        ? eb.fn.coalesce('generations.engine', 'jobs.lane', eb.val(LOCAL_ENGINE))
        : eb.ref(`generations.${by}`)
      ).as('key'),
      'generations.state',
      eb.fn.countAll<number>().as('n'),
    ])
    .where('generations.state', 'in', ['queued', 'processing'])
    .groupBy(['key', 'generations.state'])
    .execute();
  const groups = new Map<string, QueueGroup>();
  for (const row of rows) {
    const key = String(row.key);
    const group = groups.get(key) ?? { key, queued: 0, processing: 0 };
    group[row.state as 'queued' | 'processing'] += Number(row.n);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.queued + b.processing - (a.queued + a.processing) || a.key.localeCompare(b.key));
}

/** When the longest-waiting queued generation was submitted, or null with none queued. */
export async function oldestQueuedAt(db: Kysely<Database>): Promise<number | null> {
  const row = await db
    .selectFrom('generations')
    .select((eb) => eb.fn.min<number>('created_at').as('at'))
    .where('state', '=', 'queued')
    .executeTakeFirst();
  return row?.at == null ? null : Number(row.at);
}

/** Generations that reached `state` since `since` (by their last update). */
export async function countFinishedSince(db: Kysely<Database>, state: 'completed' | 'failed', since: number): Promise<number> {
  const row = await db
    .selectFrom('generations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', state)
    .where('updated_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The client's generations whose request names `id` (as a source, reference or frame): its later edits. */
export async function listGenerationsReferencing(db: Kysely<Database>, clientId: string, id: string, limit: number) {
  return db
    .selectFrom('generations')
    .select(['id', 'type', 'state', 'created_at'])
    .where('client_id', '=', clientId)
    .where('request', 'like', `%"generation_id":"${id}"%`)
    .where('id', '!=', id)
    .orderBy('created_at', 'asc')
    .limit(limit)
    .execute();
}

/** Every per-user budget of a client. */
export async function listClientBudgets(db: Kysely<Database>, clientId: string) {
  return db.selectFrom('user_budgets').selectAll().where('client_id', '=', clientId).orderBy('user_id').orderBy('period').limit(1000).execute();
}
