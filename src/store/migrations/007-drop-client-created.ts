import type { Kysely } from 'kysely';

/** Usage reads a client's generations by (client_id, state, created_at) now; one index less per insert. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('generations_client_created').execute();
}
