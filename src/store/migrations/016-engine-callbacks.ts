import type { Kysely } from 'kysely';

/**
 * What backends post back about their jobs (a Cog prediction's webhook), by engine and
 * upstream id: the latest state only, kept once it is terminal. The API role writes it; the
 * worker waiting on that upstream job reads it, whichever process it is.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('engine_callbacks')
    .addColumn('engine', 'text', (c) => c.notNull())
    .addColumn('upstream_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('terminal', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('engine_callbacks_pk', ['engine', 'upstream_id'])
    .execute();
  await db.schema.createIndex('engine_callbacks_received').on('engine_callbacks').columns(['received_at']).execute();
}
