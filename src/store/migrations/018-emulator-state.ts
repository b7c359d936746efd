import type { Kysely } from 'kysely';

/**
 * The emulator's state every process of a deployment shares: the virtual clock's time
 * (`--clock virtual`, one row) and how many tries each `flaky:<n>` request has used.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('emulator_clock')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('now_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('flaky_tries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tries', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('flaky_tries_at').on('flaky_tries').column('at').execute();
}
