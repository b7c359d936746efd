import { sql, type Kysely, type Transaction } from 'kysely';
import type { DialectCapabilities, Store } from './database.js';
import { compiledOnce, preparedInsert } from './prepared.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface ClaimedJob {
  generation_id: string;
  attempts: number;
  max_attempts: number;
  lane: string | null;
}

export const enqueueJob = preparedInsert('jobs');

/**
 * Leases up to `limit` due jobs whose lease is free or expired, leaving those of `skipTypes`
 * generations queued. `lanes`: null claims local work only, a list claims those remote lanes only.
 */
export async function claimJobs(
  db: Db,
  dialect: DialectCapabilities,
  claim: { workerId: string; limit: number; now: number; leaseMs: number; skipTypes?: readonly string[]; lanes?: readonly string[] | null },
): Promise<ClaimedJob[]> {
  let due = db
    .selectFrom('jobs')
    .select('generation_id')
    .where('run_at', '<=', claim.now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', claim.now)]))
    .whereRef('attempts', '<', 'max_attempts')
    .orderBy('run_at')
    .limit(claim.limit);
  if (claim.lanes === null) due = due.where('lane', 'is', null);
  else if (claim.lanes) due = due.where('lane', 'in', claim.lanes);
  const skipTypes = claim.skipTypes ?? [];
  if (skipTypes.length) {
    due = due.where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('generations').select('generations.id').whereRef('generations.id', '=', 'jobs.generation_id').where('generations.type', 'in', skipTypes))),
    );
  }
  if (dialect.rowLocks) due = due.forUpdate().skipLocked();
  return db
    .updateTable('jobs')
    .set((eb) => ({
      locked_by: claim.workerId,
      locked_until: claim.now + claim.leaseMs,
      attempts: eb('attempts', '+', 1),
    }))
    .where('generation_id', 'in', due)
    .returning(['generation_id', 'attempts', 'max_attempts', 'lane'])
    .execute();
}

export async function renewLease(db: Db, id: string, workerId: string, until: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ locked_until: until })
    .where('generation_id', '=', id)
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Renews the leases of many jobs held by one worker; answers the ids still held. */
export async function renewLeases(db: Db, ids: readonly string[], workerId: string, until: number): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .updateTable('jobs')
    .set({ locked_until: until })
    .where('generation_id', 'in', ids)
    .where('locked_by', '=', workerId)
    .returning('generation_id')
    .execute();
  return new Set(rows.map((row) => row.generation_id));
}

/** Gives a job back without counting the attempt (used when draining). */
export async function releaseJob(db: Db, id: string, workerId: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set((eb) => ({ locked_by: null, locked_until: null, attempts: eb('attempts', '-', 1) }))
    .where('generation_id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

/** Puts a job off until `runAt` without counting the attempt (the emulator's latency plan). */
export async function deferJob(db: Db, id: string, workerId: string, runAt: number): Promise<void> {
  await db
    .updateTable('jobs')
    .set((eb) => ({ locked_by: null, locked_until: null, run_at: runAt, attempts: eb('attempts', '-', 1) }))
    .where('generation_id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

/** Schedules another attempt after a transient error. */
export async function retryJob(db: Db, id: string, workerId: string, runAt: number, error: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ locked_by: null, locked_until: null, run_at: runAt, last_error: error })
    .where('generation_id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

/** True when this worker still held the job it finished. */
export async function deleteJob(db: Db, id: string, workerId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('jobs')
    .where('generation_id', '=', id)
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Jobs that used every attempt and whose last lease ran out: their worker died. */
export async function listExhaustedJobs(db: Db, now: number) {
  return db
    .selectFrom('jobs')
    .select(['generation_id', 'attempts', 'last_error', 'locked_by'])
    .whereRef('attempts', '>=', 'max_attempts')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .execute();
}

export async function deleteExhaustedJob(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .deleteFrom('jobs')
    .where('generation_id', '=', id)
    .whereRef('attempts', '>=', 'max_attempts')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function countJobs(db: Db): Promise<number> {
  const row = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A queued job's place in line: its due time, and how many unclaimed due jobs come before it. */
/**
 * Where a job stands in its line (local work, or one remote engine's lane: each is claimed on its
 * own): its due time, its lane, and how many unclaimed jobs of that line are due before it.
 */
export async function jobPosition(db: Db, generationId: string, now: number): Promise<{ runAt: number; lane: string | null; ahead: number } | undefined> {
  const job = await db.selectFrom('jobs').select(['run_at', 'generation_id', 'lane']).where('generation_id', '=', generationId).executeTakeFirst();
  if (!job) return undefined;
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => (job.lane === null ? eb('lane', 'is', null) : eb('lane', '=', job.lane)))
    .where((eb) => eb.or([eb('run_at', '<', job.run_at), eb.and([eb('run_at', '=', job.run_at), eb('generation_id', '<', job.generation_id)])]))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .whereRef('attempts', '<', 'max_attempts')
    .executeTakeFirstOrThrow();
  return { runAt: job.run_at, lane: job.lane, ahead: Number(row.n) };
}

/** How far down a line `listLineJobs` reads. */
export const LINE_DEPTH = 100_000;

const lineColumns = ['generation_id', 'run_at', 'locked_until', 'attempts', 'max_attempts'] as const;
const localLine = compiledOnce((db) =>
  db.selectFrom('jobs').select(lineColumns).where('lane', 'is', null).orderBy('run_at').orderBy('generation_id').modifyEnd(sql.raw(`limit ${LINE_DEPTH}`)),
);
const remoteLine = compiledOnce((db) =>
  db.selectFrom('jobs').select(lineColumns).where('lane', '=', '').orderBy('run_at').orderBy('generation_id').modifyEnd(sql.raw(`limit ${LINE_DEPTH}`)),
);

/**
 * The first LINE_DEPTH jobs of a line (null = local work, else a remote engine's lane) in the
 * order they are claimed, held ones included: what queue positions are read from. A hot read, so
 * an embedded store answers it from memory until the next write.
 */
export async function listLineJobs(store: Store, lane: string | null) {
  return lane === null ? store.read(localLine(store.db), []) : store.read(remoteLine(store.db), [lane]);
}

/** How many unclaimed jobs a line has (for lines longer than LINE_DEPTH). */
export async function countUnclaimedInLine(db: Db, lane: string | null, now: number): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => (lane === null ? eb('lane', 'is', null) : eb('lane', '=', lane)))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .whereRef('attempts', '<', 'max_attempts')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const jobQuery = compiledOnce((db) => db.selectFrom('jobs').select(['generation_id', 'run_at', 'lane']).where('generation_id', '=', ''));

/** A generation's job, if it has one still: a read of every poll of a queued generation. */
export async function getJob(store: Store, generationId: string) {
  const rows = await store.read(jobQuery(store.db), [generationId]);
  return rows[0];
}

/** Jobs of a remote lane that a worker holds now: what that engine has in flight, across processes. */
export async function countHeldInLane(db: Db, lane: string, now: number): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('lane', '=', lane)
    .where('locked_until', '>=', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Removes a job that no worker holds now (a cancel of a queued generation); false if one does. */
export async function deleteUnclaimedJob(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .deleteFrom('jobs')
    .where('generation_id', '=', id)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Removes a job whoever holds it (a cancel of a running generation: its worker's lease renewal then fails). */
export async function deleteJobAnyHolder(db: Db, id: string): Promise<void> {
  await db.deleteFrom('jobs').where('generation_id', '=', id).execute();
}
