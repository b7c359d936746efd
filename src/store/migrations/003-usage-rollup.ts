import { sql, type Kysely } from 'kysely';

const DAY_MS = 86_400_000;

/**
 * Daily usage rollups, kept in step with generations: per client, model and type, and the same
 * per user. Existing generations are rolled up.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [table, perUser] of [['usage_daily', false], ['usage_daily_user', true]] as const) {
    const key = perUser ? ['client_id', 'user_id', 'day', 'model', 'type'] : ['client_id', 'day', 'model', 'type'];
    let create = db.schema.createTable(table).addColumn('client_id', 'text', (c) => c.notNull());
    if (perUser) create = create.addColumn('user_id', 'text', (c) => c.notNull());
    await create
      .addColumn('day', 'bigint', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('generations', 'bigint', (c) => c.notNull())
      .addColumn('completed', 'bigint', (c) => c.notNull())
      .addColumn('failed', 'bigint', (c) => c.notNull())
      .addColumn('cost_micros', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, key as never)
      .execute();
    const user = perUser ? sql`coalesce(user_id, ''),` : sql``;
    const userColumn = perUser ? sql`user_id,` : sql``;
    await sql`
      insert into ${sql.table(table)} (client_id, ${userColumn} day, model, type, generations, completed, failed, cost_micros)
      select client_id, ${user} created_at / ${sql.lit(DAY_MS)}, model, type, count(*),
        sum(case when state = 'completed' then 1 else 0 end),
        sum(case when state = 'failed' then 1 else 0 end),
        sum(case when state = 'failed' then 0 else price_micros end)
      from generations
      group by client_id, ${user} created_at / ${sql.lit(DAY_MS)}, model, type`.execute(db);
  }
}
