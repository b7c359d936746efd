import type { Kysely } from 'kysely';

/**
 * State every process of a deployment shares: named settings stored once (the URL-signing
 * secret), and the accepted submissions of each client's 60 s RPM window.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('rate_hits')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_hits_client_at').on('rate_hits').columns(['client_id', 'at']).execute();
}
