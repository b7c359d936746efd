import type { Kysely } from 'kysely';

/**
 * Each process's remote engines as it last reported them (JSON: breaker state, failures, jobs in
 * flight), for `GET /admin/v1/engines`. Breakers are per process; this is how an operator sees them all.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('heartbeats').addColumn('engines', 'text').execute();
}
