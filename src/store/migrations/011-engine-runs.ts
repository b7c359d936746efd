import type { Kysely } from 'kysely';

/**
 * Remote engines. `generations.engine`: the engine serving (finally: that served) it, for admins.
 * `generations.upstream`: JSON of the current try — engine, idempotency key, and the upstream
 * handle once the backend accepted it — written before waiting, so a new worker resumes.
 * `jobs.lane`: the remote engine at the head of the chain when submitted (null = local CPU
 * work), so each engine's jobs are claimed only while it has room.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('generations').addColumn('engine', 'text').execute();
  await db.schema.alterTable('generations').addColumn('upstream', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('lane', 'text').execute();
  await db.schema.createIndex('jobs_lane_run_at').on('jobs').columns(['lane', 'run_at']).execute();
}
