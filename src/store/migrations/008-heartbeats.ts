import type { Kysely } from 'kysely';

/** One row per server process (serve, api or worker), refreshed while it runs: `GET /admin/v1/workers`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('heartbeats')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('worker_slots', 'integer', (c) => c.notNull())
    .addColumn('jobs_running', 'integer', (c) => c.notNull())
    /** JSON array of the generation ids it is running. */
    .addColumn('running', 'text', (c) => c.notNull())
    .addColumn('interval_ms', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('stopped_at', 'bigint')
    .execute();
  await db.schema.createIndex('heartbeats_last_seen').on('heartbeats').column('last_seen_at').execute();
}
