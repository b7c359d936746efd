import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export const USAGE_GROUPS = ['user_id', 'model', 'type', 'day'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageRow {
  key: string;
  generations: number;
  queued: number;
  processing: number;
  completed: number;
  failed: number;
  /** Failed generations are refunded, so they cost nothing. */
  cost_micros: number;
}

const DAY_MS = 86_400_000;

const groupKey = {
  user_id: sql<string>`coalesce(user_id, '')`,
  model: sql<string>`model`,
  type: sql<string>`type`,
  day: sql<string>`cast(created_at / ${sql.lit(DAY_MS)} as text)`,
} satisfies Record<UsageGroup, unknown>;

/** Usage of one client in [start, end): totals, or one row per group after `after`, ordered by key. */
export async function usageRows(
  db: Kysely<Database>,
  query: { clientId: string; start: number; end: number; userId?: string; groupBy?: UsageGroup; after?: string; limit?: number },
): Promise<UsageRow[]> {
  const key = query.groupBy ? groupKey[query.groupBy] : sql<string>`''`;
  const count = (state: string) => sql<number>`sum(case when state = ${state} then 1 else 0 end)`;
  let select = db
    .selectFrom('generations')
    .select([
      key.as('key'),
      sql<number>`count(*)`.as('generations'),
      count('queued').as('queued'),
      count('processing').as('processing'),
      count('completed').as('completed'),
      count('failed').as('failed'),
      sql<number>`coalesce(sum(case when state = 'failed' then 0 else price_micros end), 0)`.as('cost_micros'),
    ])
    .where('client_id', '=', query.clientId)
    .where('created_at', '>=', query.start)
    .where('created_at', '<', query.end);
  if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
  if (query.groupBy) {
    select = select.groupBy(key).orderBy(key);
    if (query.after !== undefined) select = select.having(key, '>', query.after);
    if (query.limit) select = select.limit(query.limit);
  }
  const rows = await select.execute();
  return rows.map((r) => ({
    key: String(r.key),
    generations: Number(r.generations),
    queued: Number(r.queued ?? 0),
    processing: Number(r.processing ?? 0),
    completed: Number(r.completed ?? 0),
    failed: Number(r.failed ?? 0),
    cost_micros: Number(r.cost_micros),
  }));
}
