import type { Kysely, Transaction } from 'kysely';
import { compiledOnce, preparedInsert } from './prepared.js';
import { countUsage } from './usage.js';
import { recordEvent } from './events.js';
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


/** What a poll shows of a generation. */
export const GENERATION_VIEW_COLUMNS = [
  'id',
  'type',
  'state',
  'model',
  'created_at',
  'output',
  'failure_code',
  'failure_reason',
  'progress',
  'cancelled_at',
] as const;
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
  const rows = await db
    .updateTable('generations')
    .set({ state: 'processing', updated_at: now })
    .where('id', 'in', ids)
    .where('state', '=', 'queued')
    .returning(CHANGE_COLUMNS)
    .execute();
  for (const row of rows) await recordChange(db, row, now);
}

/** What a state change returns: the event's snapshot and the usage rollup's subject. */
const CHANGE_COLUMNS = [...GENERATION_VIEW_COLUMNS, 'client_id', 'api_key_id', 'user_id', 'price_micros'] as const;
type Changed = Pick<GenerationTable, (typeof CHANGE_COLUMNS)[number]>;

/** Logs the change as `generation.<state>` (and so queues its webhooks), in the change's transaction. */
async function recordChange(db: Db, row: Changed, now: number): Promise<void> {
  const snapshot: Record<string, unknown> = {};
  for (const column of GENERATION_VIEW_COLUMNS) snapshot[column] = row[column];
  await recordEvent(db, { client_id: row.client_id, subject_id: row.id, type: `generation.${row.state}`, data: JSON.stringify(snapshot), created_at: now }, row.api_key_id);
}

export async function completeGeneration(db: Db, id: string, output: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('generations')
    .set({ state: 'completed', output, updated_at: now })
    .where('id', '=', id)
    .where('state', 'in', ['queued', 'processing'])
    .returning(CHANGE_COLUMNS)
    .executeTakeFirst();
  if (!result) return false;
  await countUsage(db, result, { completed: 1 });
  await recordChange(db, result, now);
  return true;
}

export async function failGeneration(
  db: Db,
  id: string,
  failure: { code: string; reason: string; cancelled?: boolean },
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('generations')
    .set({
      state: 'failed',
      failure_code: failure.code,
      failure_reason: failure.reason,
      output: '[]',
      updated_at: now,
      ...(failure.cancelled ? { cancelled_at: now } : {}),
    })
    .where('id', '=', id)
    .where('state', 'in', ['queued', 'processing'])
    .returning(CHANGE_COLUMNS)
    .executeTakeFirst();
  if (!result) return false;
  await countUsage(db, result, { failed: 1, cost_micros: -result.price_micros });
  await recordChange(db, result, now);
  return true;
}

export interface GenerationFilter {
  state?: string;
  type?: string;
  model?: string;
  userId?: string;
  /** created_at bounds in ms: from inclusive, to exclusive. */
  createdFrom?: number;
  createdTo?: number;
  /** Keyset cursor: ids below this one. */
  before?: string;
}

/** The smallest id made at `ms` or later (ids are UUIDv7: their first 48 bits are the creation time). */
const firstIdAt = (ms: number) => {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-`;
};
const idTime = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

/**
 * A client's generations, newest first; one more than `limit`, so the caller knows whether more
 * follow. Ids sort by creation time, so a created range is also an id range, and "newest first" is
 * both `id desc` (the (client_id, id) index) and `created_at desc, id desc` (the state and user
 * indexes, used when those filter: a rare state or user is then found without a scan).
 */
export async function listGenerations(
  db: Db,
  /** null lists every client's (the operator's view). */
  clientId: string | null,
  filter: GenerationFilter,
  limit: number,
): Promise<Array<GenerationView & Pick<GenerationTable, 'client_id'>>> {
  let query = db.selectFrom('generations').select([...GENERATION_VIEW_COLUMNS, 'client_id']);
  if (clientId !== null) query = query.where('client_id', '=', clientId);
  if (filter.state) query = query.where('state', '=', filter.state as GenerationTable['state']);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.model) query = query.where('model', '=', filter.model);
  if (filter.userId) query = query.where('user_id', '=', filter.userId);
  if (filter.createdFrom !== undefined) query = query.where('created_at', '>=', filter.createdFrom).where('id', '>=', firstIdAt(filter.createdFrom));
  if (filter.createdTo !== undefined) query = query.where('created_at', '<', filter.createdTo).where('id', '<', firstIdAt(filter.createdTo));
  if (filter.before) query = query.where('id', '<', filter.before).where('created_at', '<=', idTime(filter.before));
  const byTime = filter.state !== undefined || filter.userId !== undefined;
  return (byTime ? query.orderBy('created_at', 'desc').orderBy('id', 'desc') : query.orderBy('id', 'desc')).limit(limit + 1).execute();
}

/** Extension: a processing generation's progress, as JSON {fraction, stage}. */
export async function setProgress(db: Db, id: string, progress: string): Promise<void> {
  await db.updateTable('generations').set({ progress }).where('id', '=', id).where('state', '=', 'processing').execute();
}

/** The states of those of `ids` that exist; an id missing from the map has no generation. */
export async function getGenerationStates(db: Db, ids: string[]): Promise<Map<string, GenerationTable['state']>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('generations').select(['id', 'state']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row.state]));
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
