import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { STATES } from '../contract/schemas.js';
import { compiledOnce, execute } from './prepared.js';
import type { Database, GenerationTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export const USAGE_GROUPS = ['user_id', 'model', 'type', 'day'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageRow {
  key: string;
  /** The second group's key, when grouped by a pair (`day` then `model`). */
  subkey?: string;
  generations: number;
  queued: number;
  processing: number;
  completed: number;
  failed: number;
  /** Failed generations are refunded, so they cost nothing. */
  cost_micros: number;
}

const DAY_MS = 86_400_000;

/** What identifies a generation's row in the daily rollup. */
export type UsageSubject = Pick<GenerationTable, 'client_id' | 'created_at' | 'user_id' | 'model' | 'type'>;
export interface UsageDelta {
  generations?: number;
  completed?: number;
  failed?: number;
  cost_micros?: number;
}

const COUNTERS = ['generations', 'completed', 'failed', 'cost_micros'] as const;

/** An upsert adding its counters to a rollup row's. */
function countInto(table: 'usage_daily' | 'usage_daily_user', keys: string[]) {
  return compiledOnce((db) =>
    db
      .insertInto(table)
      .values(Object.fromEntries([...keys, ...COUNTERS].map((column) => [column, 0])) as never)
      .onConflict((conflict) =>
        conflict.columns(keys as never).doUpdateSet(
          Object.fromEntries(COUNTERS.map((c) => [c, sql`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`])) as never,
        ),
      ),
  );
}
const countDaily = countInto('usage_daily', ['client_id', 'day', 'model', 'type']);
const countDailyUser = countInto('usage_daily_user', ['client_id', 'user_id', 'day', 'model', 'type']);

/** The rollup changes of a folding transaction, summed per generation subject until it commits. */
type Folded = Map<string, { subject: UsageSubject; counts: number[] }>;
const folding = new WeakMap<Db, Folded>();

/**
 * Adds a change of one generation to the daily rollups; called by every write that changes what usage
 * shows. In a folding transaction the change is added to the others of the same user, day, model and
 * type, and written once at its end: a batch of submits then costs two upserts, not two each. Nothing
 * reads the rollups inside a transaction, so no reader sees them early.
 */
export async function countUsage(db: Db, subject: UsageSubject, delta: UsageDelta): Promise<void> {
  const folded = folding.get(db);
  if (!folded) return writeUsage(db, subject, COUNTERS.map((c) => delta[c] ?? 0));
  const day = Math.floor(subject.created_at / DAY_MS);
  const key = `${subject.client_id}\u0000${subject.user_id ?? ''}\u0000${day}\u0000${subject.model}\u0000${subject.type}`;
  const row = folded.get(key);
  if (!row) folded.set(key, { subject, counts: COUNTERS.map((c) => delta[c] ?? 0) });
  else COUNTERS.forEach((c, i) => (row.counts[i] += delta[c] ?? 0));
}

async function writeUsage(db: Db, subject: UsageSubject, counts: number[]): Promise<void> {
  const day = Math.floor(subject.created_at / DAY_MS);
  await execute(db, countDaily(db), [subject.client_id, day, subject.model, subject.type, ...counts]);
  await execute(db, countDailyUser(db), [subject.client_id, subject.user_id ?? '', day, subject.model, subject.type, ...counts]);
}

/** Transaction hooks that fold a transaction's rollup changes (see write-batch.ts). */
export const usageFolding = {
  begin(trx: Db): void {
    folding.set(trx, new Map());
  },
  async end(trx: Db): Promise<void> {
    const folded = folding.get(trx)!;
    folding.delete(trx);
    for (const { subject, counts } of folded.values()) await writeUsage(trx, subject, counts);
  },
};

const rawKey = {
  user_id: sql<string>`coalesce(user_id, '')`,
  model: sql<string>`model`,
  type: sql<string>`type`,
  day: sql<string>`cast(created_at / ${sql.lit(DAY_MS)} as text)`,
} satisfies Record<UsageGroup, unknown>;

const rollupKey = {
  user_id: sql<string>`user_id`,
  model: sql<string>`model`,
  type: sql<string>`type`,
  day: sql<string>`cast(day as text)`,
} satisfies Record<UsageGroup, unknown>;

export interface UsageQuery {
  clientId: string;
  start: number;
  end: number;
  userId?: string;
  /** One group, or a pair: one row per (key, subkey). */
  groupBy?: UsageGroup | readonly [UsageGroup, UsageGroup];
  /** The last key (a pair's: [key, subkey]) of the previous page. */
  after?: string | readonly [string, string];
  limit?: number;
}

const groupsOf = (query: UsageQuery): readonly UsageGroup[] => (query.groupBy === undefined ? [] : typeof query.groupBy === 'string' ? [query.groupBy] : query.groupBy);

/** The key columns of a part: `key`, and `subkey` for a pair; '' as the key of a total. */
function keyColumns(groups: readonly UsageGroup[], keys: Record<UsageGroup, RawBuilder<string>>) {
  const [first, second] = groups;
  return [(first ? keys[first] : sql<string>`''`).as('key'), ...(second ? [keys[second].as('subkey')] : [])];
}

const stateCount = (state: string) => sql<number>`sum(case when state = ${state} then 1 else 0 end)`;
const zero = sql<number>`0`;

/** Generations created in [from, to), straight from their table; `inFlightOnly` counts only the unfinished. */
function rawRows(db: Kysely<Database>, query: UsageQuery, from: number, to: number, inFlightOnly: boolean) {
  const groups = groupsOf(query);
  let select = db
    .selectFrom('generations')
    .select([
      ...keyColumns(groups, rawKey),
      (inFlightOnly ? zero : sql<number>`count(*)`).as('generations'),
      stateCount('queued').as('queued'),
      stateCount('processing').as('processing'),
      (inFlightOnly ? zero : stateCount('completed')).as('completed'),
      (inFlightOnly ? zero : stateCount('failed')).as('failed'),
      (inFlightOnly ? zero : sql<number>`coalesce(sum(case when state = 'failed' then 0 else price_micros end), 0)`).as('cost_micros'),
    ])
    .where('client_id', '=', query.clientId)
    // Every state named, so the (client_id, state, created_at) index serves the range.
    .where('state', 'in', inFlightOnly ? ['queued', 'processing'] : STATES)
    .where('created_at', '>=', from)
    .where('created_at', '<', to);
  if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
  return groups.length ? select.groupBy(groups.map((g) => rawKey[g])) : select;
}

/** Whole days [fromDay, toDay) from a rollup, per user only when users matter; it knows no state but the terminal ones. */
function rollupRows(db: Kysely<Database>, query: UsageQuery, fromDay: number, toDay: number) {
  const groups = groupsOf(query);
  const perUser = query.userId !== undefined || groups.includes('user_id');
  let select = db
    .selectFrom(perUser ? 'usage_daily_user' : 'usage_daily')
    .select([
      ...keyColumns(groups, rollupKey),
      sql<number>`sum(generations)`.as('generations'),
      zero.as('queued'),
      zero.as('processing'),
      sql<number>`sum(completed)`.as('completed'),
      sql<number>`sum(failed)`.as('failed'),
      sql<number>`sum(cost_micros)`.as('cost_micros'),
    ])
    .where('client_id', '=', query.clientId)
    .where('day', '>=', fromDay)
    .where('day', '<', toDay);
  if (query.userId !== undefined) select = select.where(sql.ref('user_id'), '=', query.userId);
  return groups.length ? select.groupBy(groups.map((g) => rollupKey[g])) : select;
}

/**
 * Usage of one client in [start, end): totals, or one row per group after `after`, ordered by key.
 * Whole days come from the daily rollup, plus the unfinished generations of those days (few, and
 * indexed by state); the partial days at either end are read from the generations themselves.
 */
export async function usageRows(db: Kysely<Database>, query: UsageQuery): Promise<UsageRow[]> {
  const firstDay = Math.ceil(query.start / DAY_MS);
  const lastDay = Math.floor(query.end / DAY_MS);
  const parts =
    firstDay < lastDay
      ? [
          rawRows(db, query, query.start, firstDay * DAY_MS, false),
          rollupRows(db, query, firstDay, lastDay),
          rawRows(db, query, firstDay * DAY_MS, lastDay * DAY_MS, true),
          rawRows(db, query, lastDay * DAY_MS, query.end, false),
        ]
      : [rawRows(db, query, query.start, query.end, false)];
  const union = parts.slice(1).reduce((all, part) => all.unionAll(part as never), parts[0]);
  const pair = groupsOf(query).length === 2;
  const keys = pair ? [sql.ref('part.key'), sql.ref('part.subkey')] : [sql.ref('part.key')];

  let select = db
    .selectFrom(union.as('part'))
    .select([
      sql<string>`part.key`.as('key'),
      ...(pair ? [sql<string>`part.subkey`.as('subkey')] : []),
      sql<number>`sum(part.generations)`.as('generations'),
      sql<number>`sum(part.queued)`.as('queued'),
      sql<number>`sum(part.processing)`.as('processing'),
      sql<number>`sum(part.completed)`.as('completed'),
      sql<number>`sum(part.failed)`.as('failed'),
      sql<number>`sum(part.cost_micros)`.as('cost_micros'),
    ])
    .groupBy(keys)
    .orderBy(keys);
  if (query.after !== undefined) {
    const after = typeof query.after === 'string' ? [query.after] : query.after;
    select = select.having(sql<boolean>`(${sql.join(keys)}) > (${sql.join(after)})`);
  }
  if (query.limit) select = select.limit(query.limit);
  const rows = await select.execute();
  return rows.map((r) => ({
    key: String(r.key),
    ...(pair ? { subkey: String((r as { subkey?: unknown }).subkey) } : {}),
    generations: Number(r.generations ?? 0),
    queued: Number(r.queued ?? 0),
    processing: Number(r.processing ?? 0),
    completed: Number(r.completed ?? 0),
    failed: Number(r.failed ?? 0),
    cost_micros: Number(r.cost_micros ?? 0),
  }));
}
