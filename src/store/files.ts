import type { Kysely, Transaction } from 'kysely';
import { recordEvent } from './events.js';
import type { Database, FileState, FileTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertFile(db: Db, file: FileTable): Promise<void> {
  await db.insertInto('files').values(file).execute();
}

/** A client's file; another client's id reads as absent. */
export async function getFile(db: Db, id: string, clientId: string): Promise<FileTable | undefined> {
  return db.selectFrom('files').selectAll().where('id', '=', id).where('client_id', '=', clientId).executeTakeFirst();
}

export async function getFileById(db: Db, id: string): Promise<FileTable | undefined> {
  return db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface FileFilter {
  purpose?: FileTable['purpose'];
  /** Without a state, deleted files are left out. */
  state?: FileState;
  /** Only ids before this one (the keyset cursor). */
  before?: string;
}

/** Newest first; `limit + 1` rows are read so the caller knows whether more follow. */
export async function listFiles(db: Db, clientId: string, filter: FileFilter, limit: number): Promise<FileTable[]> {
  let query = db.selectFrom('files').selectAll().where('client_id', '=', clientId);
  if (filter.purpose) query = query.where('purpose', '=', filter.purpose);
  query = filter.state ? query.where('state', '=', filter.state) : query.where('state', '!=', 'deleted');
  if (filter.before) query = query.where('id', '<', filter.before);
  return query.orderBy('id', 'desc').limit(limit + 1).execute();
}

/** Stores the bytes of a presigned upload; false once the upload was completed (or the file left pending). */
/**
 * Points a pending, not yet completed file at freshly uploaded bytes, if its blob is still
 * `previousKey` (compare-and-set: of two racing uploads one wins, and each knows what it replaced).
 */
export async function storeFileBytes(db: Db, id: string, blobKey: string, sizeBytes: number, now: number, previousKey: string | null): Promise<boolean> {
  const result = await db
    .updateTable('files')
    .set({ blob_key: blobKey, size_bytes: sizeBytes, updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where('uploaded_at', 'is', null)
    .where('blob_key', previousKey === null ? 'is' : '=', previousKey)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Closes a presigned upload whose bytes are stored; from here on ingest owns the file. */
export async function completeUpload(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('files')
    .set({ uploaded_at: now, updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where('uploaded_at', 'is', null)
    .where('blob_key', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends ingest: a pending file becomes ready (with the media type of its bytes) or failed. */
export async function settleFile(
  db: Db,
  id: string,
  outcome: { state: 'ready'; mimeType: string } | { state: 'failed'; reason: string },
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('files')
    .set(
      outcome.state === 'ready'
        ? { state: 'ready', mime_type: outcome.mimeType, updated_at: now }
        : { state: 'failed', failure_reason: outcome.reason, updated_at: now },
    )
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
  if (result) await recordFileChange(db, result, now);
  return result !== undefined;
}

/** Logs `file.ready` / `file.failed` (and so queues its webhooks) in the change's transaction. */
async function recordFileChange(db: Db, row: FileTable, now: number): Promise<void> {
  await recordEvent(db, { client_id: row.client_id, subject_id: row.id, type: `file.${row.state}`, data: JSON.stringify(row), created_at: now }, row.api_key_id ?? null);
}

/** Soft delete; true if the file exists for this client (deleting twice is fine). */
export async function softDeleteFile(db: Db, id: string, clientId: string, now: number): Promise<boolean> {
  const file = await getFile(db, id, clientId);
  if (!file) return false;
  if (file.state !== 'deleted') {
    await db.updateTable('files').set({ state: 'deleted', deleted_at: now, updated_at: now }).where('id', '=', id).execute();
  }
  return true;
}

/** Files whose `expires_at` has passed become deleted. */
export async function expireFiles(db: Db, now: number): Promise<number> {
  const result = await db
    .updateTable('files')
    .set({ state: 'deleted', deleted_at: now, updated_at: now })
    .where('expires_at', '<=', now)
    .where('state', '!=', 'deleted')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Presigned uploads created before `createdBefore` and never completed end failed. */
export async function failAbandonedUploads(db: Db, createdBefore: number, reason: string, now: number): Promise<number> {
  const result = await db
    .updateTable('files')
    .set({ state: 'failed', failure_reason: reason, updated_at: now })
    .where('state', '=', 'pending')
    .where('uploaded_at', 'is', null)
    .where('created_at', '<', createdBefore)
    .returningAll()
    .execute();
  for (const row of result) await recordFileChange(db, row, now);
  return result.length;
}

/** Deleted files that still have bytes stored. */
export async function listPurgeableFiles(db: Db, limit: number): Promise<Array<Pick<FileTable, 'id' | 'blob_key'>>> {
  return db.selectFrom('files').select(['id', 'blob_key']).where('state', '=', 'deleted').where('blob_key', 'is not', null).limit(limit).execute();
}

export async function clearFileBlob(db: Db, id: string): Promise<void> {
  await db.updateTable('files').set({ blob_key: null }).where('id', '=', id).execute();
}

/** Uploaded files still pending since before `since`: their ingest died with its process. */
export async function listStalePendingFiles(db: Db, since: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('files')
    .select('id')
    .where('state', '=', 'pending')
    .where('uploaded_at', 'is not', null)
    .where('updated_at', '<', since)
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Claims a stale pending file for a new ingest: only if it is still untouched since `since`,
 * so of several sweepers that listed it, one wins (true) and the rest leave it.
 */
export async function claimStaleFile(db: Db, id: string, since: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('files')
    .set({ updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where('updated_at', '<', since)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Claims a file whose upload just completed, for one worker process to ingest: the first claim
 * moves `updated_at` off `uploaded_at`, so the others (and a rescan) leave it.
 */
export async function claimUploadedFile(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('files')
    .set((eb) => ({ updated_at: eb('uploaded_at', '+', 1).$castTo<number>() }))
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .whereRef('updated_at', '=', 'uploaded_at')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Uploaded files no worker has claimed yet (their notification was missed). */
export async function listUnclaimedUploads(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('files')
    .select('id')
    .where('state', '=', 'pending')
    .where('uploaded_at', 'is not', null)
    .whereRef('updated_at', '=', 'uploaded_at')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}
