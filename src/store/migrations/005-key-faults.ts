import type { Kysely } from 'kysely';

/** A key's fixed fault scenario for the emulator (`atelier keys … --fault`); null = none. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('fault', 'text').execute();
}
