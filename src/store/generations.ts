import type { Kysely, Transaction } from 'kysely';
import { compiledOnce, preparedInsert } from './prepared.js';
import { countUsage } from './usage.js';
import type { Database, GenerationTable } from './schema.js';
import type { DialectCapabilities, Store } from './database.js';

type Db = Kysely<Database> | Transaction<Database>;

const insertRow = preparedInsert('generations');

export async function insertGeneration(db: Db, generation: GenerationTable): Promise<void> {
  await insertRow(db, generation);
  await countUsage(db, generation, {
    generations: 1,
    completed: generation.state === 'completed' ? 1 : 0,
    failed: generation.state === 'failed' ? 1 : 0,
    cost_micros: generation.state === 'failed' ? 0 : generation.price_micros,
  });
}

const USAGE_SUBJECT = ['client_id', 'created_at', 'user_id', 'model', 'type', 'price_micros'] as const;

/** What a poll shows of a generation. */
export const GENERATION_VIEW_COLUMNS = ['id', 'type', 'state', 'model', 'created_at', 'output', 'failure_code', 'failure_reason'] as const;
export type GenerationView = Pick<GenerationTable, (typeof GENERATION_VIEW_COLUMNS)[number]>;

const viewQuery = compiledOnce((db) => db.selectFrom('generations').select(GENERATION_VIEW_COLUMNS).where('id', '=', '').where('client_id', '=', ''));

/** The hot read of every poll. */
export async function getGeneration(store: Store, id: string, clientId: string): Promise<GenerationView | undefined> {
  const rows = await store.read(viewQuery(store.db), [id, clientId]);
  return rows[0];
}

export async function getGenerationById(db: Db, id: string) {
  return db.selectFrom('generations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Serialises submits of one client, so limit checks and inserts can't interleave. */
export async function lockClient(db: Db, dialect: DialectCapabilities, clientId: string): Promise<void> {
  if (!dialect.rowLocks) return; // SQLite transactions are already serial.
  await db.selectFrom('clients').select('id').where('id', '=', clientId).forUpdate().execute();
}

/** Non-terminal generations created since `since`: the client's held concurrency slots. */
export async function countActiveGenerations(db: Db, clientId: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('generations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('client_id', '=', clientId)
    .where('state', 'in', ['queued', 'processing'])
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function markGenerationsProcessing(db: Db, ids: string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('generations')
    .set({ state: 'processing', updated_at: now })
    .where('id', 'in', ids)
    .where('state', '=', 'queued')
    .execute();
}

export async function completeGeneration(db: Db, id: string, output: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('generations')
    .set({ state: 'completed', output, updated_at: now })
    .where('id', '=', id)
    .where('state', 'in', ['queued', 'processing'])
    .returning(USAGE_SUBJECT)
    .executeTakeFirst();
  if (result) await countUsage(db, result, { completed: 1 });
  return result !== undefined;
}

export async function failGeneration(
  db: Db,
  id: string,
  failure: { code: string; reason: string },
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('generations')
    .set({ state: 'failed', failure_code: failure.code, failure_reason: failure.reason, output: '[]', updated_at: now })
    .where('id', '=', id)
    .where('state', 'in', ['queued', 'processing'])
    .returning(USAGE_SUBJECT)
    .executeTakeFirst();
  if (result) await countUsage(db, result, { failed: 1, cost_micros: -result.price_micros });
  return result !== undefined;
}

/**
 * Records the engine serving a generation and its current upstream try, only while `workerId`
 * still holds the job's lease. False = the lease is lost: another worker owns the job now.
 */
export async function recordUpstream(db: Db, id: string, workerId: string, engine: string, upstream: string | null): Promise<boolean> {
  const result = await db
    .updateTable('generations')
    .set({ engine, upstream })
    .where('id', '=', id)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('jobs').select('jobs.generation_id').whereRef('jobs.generation_id', '=', 'generations.id').where('jobs.locked_by', '=', workerId)),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The engine and upstream try of a generation of this client (chaining a ref through the same engine). */
export async function getUpstream(db: Db, id: string, clientId: string) {
  return db.selectFrom('generations').select(['engine', 'upstream']).where('id', '=', id).where('client_id', '=', clientId).executeTakeFirst();
}
