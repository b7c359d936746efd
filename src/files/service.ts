import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { systemClock, type Clock } from '../clock.js';
import { apiError, DEFAULT_FILE_PAGE, FILE_PURPOSES, type FileCreate, type FileListQuery, type FileObject } from '../contract/index.js';
import { baseMediaType, sniffMediaType } from '../media/media-type.js';
import { BlobTooLarge, URL_TTL_MS, type BlobStore, type BlobUrls } from '../storage/index.js';
import { files, timeOrderedId, type FileTable, type Store } from '../store/index.js';
import { capFor, fileKind, type FileLimits } from './kinds.js';
import type { FileIngestor } from './ingest.js';
import { uploadPath } from './upload-url.js';
import { fileView } from './view.js';

export interface FileDeps {
  store: Store;
  blobs: BlobStore;
  /** With `upload`, presigned PUTs go straight to the store; else to our /v1/uploads. */
  urls: Pick<BlobUrls, 'upload'>;
  clock: Clock;
  secret: Buffer;
  /** Starts ingest of a file whose bytes are complete: here, or in a worker process. */
  ingestor: Pick<FileIngestor, 'start'>;
  limits: FileLimits;
}

/** The optional fields both upload modes share. */
export interface FileFields {
  expires_at?: string | null;
  filename?: string | null;
  purpose?: string | null;
  user_id?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const blobKeyOf = (id: string) => `files/${id}/original`;
/** Where a presigned PUT straight to the store puts a file's bytes: the file's blob_key from its creation, so they go with it. */
const storeUploadKeyOf = (id: string) => `files/${id}/upload`;

function invalid(path: string, reason: string): never {
  throw apiError('FIELD_INVALID', { path, reason });
}

/** Checks the shared fields (multipart fields arrive unvalidated) and gives the stored values. */
function readFields(fields: FileFields, now: number): Pick<FileTable, 'expires_at' | 'filename' | 'purpose' | 'user_id'> {
  let expiresAt: number | null = null;
  if (fields.expires_at != null) {
    expiresAt = Date.parse(fields.expires_at);
    if (!/^\d{4}-\d\d-\d\dT/.test(fields.expires_at) || Number.isNaN(expiresAt)) invalid('expires_at', 'must be a valid date-time');
    if (expiresAt <= now) throw apiError('FILE_EXPIRES_PAST');
  }
  const purpose = fields.purpose ?? 'input';
  if (!(FILE_PURPOSES as readonly string[]).includes(purpose)) invalid('purpose', `must be one of: ${FILE_PURPOSES.join(', ')}`);
  if (fields.user_id != null && fields.user_id.length > 256) invalid('user_id', 'must be at most 256 characters');
  if (fields.filename != null && fields.filename.length > 1024) invalid('filename', 'must be at most 1024 characters');
  return { expires_at: expiresAt, filename: fields.filename ?? null, purpose: purpose as FileTable['purpose'], user_id: fields.user_id ?? null };
}

function kindOf(mimeType: string) {
  const kind = fileKind(mimeType);
  if (!kind) throw apiError('FILE_MIME_TYPE_UNSUPPORTED', { mime_type: mimeType });
  return kind;
}

/** Who creates a file: its client, and the key, which webhook endpoints of one key go by. */
export interface FileOwner {
  clientId: string;
  keyId: string;
}

const pendingRow = (id: string, owner: FileOwner, mimeType: string, size: number, now: number): FileTable => ({
  id,
  client_id: owner.clientId,
  api_key_id: owner.keyId,
  user_id: null,
  purpose: 'input',
  state: 'pending',
  mime_type: mimeType,
  size_bytes: size,
  filename: null,
  blob_key: null,
  failure_reason: null,
  uploaded_at: null,
  expires_at: null,
  deleted_at: null,
  created_at: now,
  updated_at: now,
});

/** JSON mode: a pending file and a presigned PUT for its bytes. */
export async function createPresignedFile(deps: FileDeps, owner: FileOwner, body: FileCreate, origin: string) {
  const now = deps.clock.now();
  const kind = kindOf(body.mime_type);
  if (body.size_bytes > capFor(kind, deps.limits)) throw apiError('FILE_TOO_LARGE', { limit: capFor(kind, deps.limits) / 2 ** 20, kind });
  const row = { ...pendingRow(timeOrderedId(now), owner, body.mime_type, body.size_bytes, now), ...readFields(body, now) };
  if (deps.urls.upload) row.blob_key = storeUploadKeyOf(row.id);
  await files.insertFile(deps.store.db, row);
  // The store's own URL is signed with real time; ours with the server clock.
  const upload = deps.urls.upload
    ? { url: await deps.urls.upload(storeUploadKeyOf(row.id), row.mime_type, row.size_bytes), expiresAt: systemClock.now() + URL_TTL_MS }
    : ((signed) => ({ url: origin + signed.path, expiresAt: signed.expiresAt }))(uploadPath(deps.secret, row.id, now));
  return {
    id: row.id,
    state: row.state,
    file: fileView(row),
    upload: { url: upload.url, method: 'PUT' as const, headers: { 'content-type': row.mime_type }, expires_at: new Date(upload.expiresAt).toISOString() },
  };
}

/**
 * Multipart mode, step one: streams the part to a blob under a fresh id; nothing is recorded yet.
 * A part sent as application/octet-stream is typed by its magic bytes once stored.
 */
export async function receiveInlineBytes(deps: FileDeps, declared: string | null, source: Readable) {
  const id = timeOrderedId(deps.clock.now());
  const untyped = !declared || baseMediaType(declared) === 'application/octet-stream';
  const cap = untyped ? Math.max(deps.limits.maxImageBytes, deps.limits.maxVideoBytes) : capFor(kindOf(declared), deps.limits);
  let size: number;
  try {
    size = await deps.blobs.putStream(blobKeyOf(id), source, cap);
  } catch (err) {
    // The folder putStream made for the blob goes with it.
    await deps.blobs.deletePrefix(`files/${id}`);
    if (err instanceof BlobTooLarge) throw apiError('FILE_TOO_LARGE', { limit: cap / 2 ** 20, kind: untyped ? 'video' : kindOf(declared) });
    throw err;
  }
  try {
    const mimeType = untyped ? await sniffedType(deps.blobs, blobKeyOf(id)) : declared;
    const kind = kindOf(mimeType);
    if (size > capFor(kind, deps.limits)) throw apiError('FILE_TOO_LARGE', { limit: capFor(kind, deps.limits) / 2 ** 20, kind });
    return { id, size, mimeType };
  } catch (err) {
    await deps.blobs.deletePrefix(`files/${id}`);
    throw err;
  }
}

/** The media type the first bytes of a stored blob name. */
async function sniffedType(blobs: BlobStore, key: string): Promise<string> {
  const type = sniffMediaType(await blobs.readHead(key, 16));
  if (!type) throw apiError('FILE_MIME_TYPE_UNSUPPORTED', { mime_type: 'application/octet-stream' });
  return type;
}

/** Multipart mode, step two: records the received file and starts its ingest. */
export async function createInlineFile(
  deps: FileDeps,
  owner: FileOwner,
  received: { id: string; size: number; mimeType: string; filename: string | null },
  fields: FileFields,
) {
  const now = deps.clock.now();
  try {
    const row: FileTable = {
      ...pendingRow(received.id, owner, received.mimeType, received.size, now),
      ...readFields({ filename: received.filename, ...fields }, now),
      blob_key: blobKeyOf(received.id),
      uploaded_at: now,
    };
    await files.insertFile(deps.store.db, row);
    deps.ingestor.start(row.id);
    return { id: row.id, state: row.state, file: fileView(row), upload: null };
  } catch (err) {
    await deps.blobs.deletePrefix(`files/${received.id}`);
    throw err;
  }
}

/** The body of a presigned PUT: exactly `size_bytes` bytes, until the upload is completed. */
export async function receiveUpload(deps: FileDeps, id: string, source: Readable, declaredLength: number | null): Promise<void> {
  const row = await files.getFileById(deps.store.db, id);
  if (!row) throw apiError('FILE_NOT_FOUND');
  if (row.state !== 'pending' || row.uploaded_at !== null) throw apiError('FILE_UPLOAD_CLOSED', { id, state: row.state === 'pending' ? 'completed' : row.state });
  const expected = row.size_bytes;
  if (declaredLength !== null && declaredLength !== expected) throw apiError('FILE_SIZE_MISMATCH', { actual: declaredLength, expected });
  // The bytes go to a key of this PUT alone, and become the file's only once checked, under its state:
  // a refused or late PUT never replaces bytes already stored.
  const key = `files/${id}/upload-${randomBytes(6).toString('hex')}`;
  let size: number;
  try {
    size = await deps.blobs.putStream(key, source, expected);
  } catch (err) {
    await deps.blobs.deletePrefix(key);
    if (err instanceof BlobTooLarge) throw apiError('FILE_SIZE_MISMATCH', { actual: `more than ${expected}`, expected });
    throw err;
  }
  if (size !== expected) {
    await deps.blobs.deletePrefix(key);
    throw apiError('FILE_SIZE_MISMATCH', { actual: size, expected });
  }
  for (;;) {
    const current = await files.getFileById(deps.store.db, id);
    if (!current || current.state !== 'pending' || current.uploaded_at !== null) {
      await deps.blobs.deletePrefix(key);
      throw apiError('FILE_UPLOAD_CLOSED', { id, state: !current || current.state === 'pending' ? 'completed' : current.state });
    }
    if (await files.storeFileBytes(deps.store.db, id, key, size, deps.clock.now(), current.blob_key)) {
      // The bytes of an earlier PUT, now replaced before the upload was completed.
      if (current.blob_key) await deps.blobs.deletePrefix(current.blob_key);
      return;
    }
  }
}

/**
 * The bytes a presigned PUT left in the store become the file's, as receiveUpload's do: as a copy
 * of this call alone, checked against size_bytes, recorded only while no other bytes are, so a
 * PUT that comes later (its URL is valid for an hour) never changes what ingest reads.
 */
async function takeStoreUpload(deps: FileDeps, row: FileTable): Promise<void> {
  const key = `files/${row.id}/upload-${randomBytes(6).toString('hex')}`;
  if (!(await deps.blobs.copy(storeUploadKeyOf(row.id), key))) throw apiError('FILE_NOT_UPLOADED', { id: row.id });
  const size = (await deps.blobs.stat(key))?.size ?? 0;
  if (size !== row.size_bytes) {
    await deps.blobs.deletePrefix(key);
    throw apiError('FILE_SIZE_MISMATCH', { actual: size, expected: row.size_bytes });
  }
  if (await files.storeFileBytes(deps.store.db, row.id, key, size, deps.clock.now(), storeUploadKeyOf(row.id))) await deps.blobs.deletePrefix(storeUploadKeyOf(row.id));
  else await deps.blobs.deletePrefix(key); // another complete (or a PUT to /v1/uploads) got there first
}

async function ownFile(deps: FileDeps, clientId: string, id: string): Promise<FileTable> {
  const row = UUID.test(id) ? await files.getFile(deps.store.db, id.toLowerCase(), clientId) : undefined;
  if (!row) throw apiError('FILE_NOT_FOUND');
  return row;
}

export async function getFile(deps: FileDeps, clientId: string, id: string): Promise<FileObject> {
  return fileView(await ownFile(deps, clientId, id));
}

/** Closes a presigned upload and starts ingest; a file already past that is returned as it is. */
export async function completeFile(deps: FileDeps, clientId: string, id: string): Promise<FileObject> {
  const row = await ownFile(deps, clientId, id);
  if (row.state === 'deleted') throw apiError('FILE_DELETED', { id: row.id });
  if (row.state !== 'pending' || row.uploaded_at !== null) return fileView(row);
  if (row.blob_key === storeUploadKeyOf(row.id)) await takeStoreUpload(deps, row);
  else if (!row.blob_key) throw apiError('FILE_NOT_UPLOADED', { id: row.id });
  if (await files.completeUpload(deps.store.db, row.id, deps.clock.now())) deps.ingestor.start(row.id);
  return fileView((await files.getFileById(deps.store.db, row.id))!);
}

export async function deleteFile(deps: FileDeps, clientId: string, id: string): Promise<void> {
  const row = await ownFile(deps, clientId, id);
  await files.softDeleteFile(deps.store.db, row.id, clientId, deps.clock.now());
}

/** Newest first; the cursor is the last id seen, opaque to clients. The query is checked by its schema. */
export async function listFiles(deps: FileDeps, clientId: string, query: FileListQuery) {
  const limit = query.limit ?? DEFAULT_FILE_PAGE;
  let before: string | undefined;
  if (query.cursor) {
    before = Buffer.from(query.cursor, 'base64url').toString('latin1');
    if (!UUID.test(before)) throw apiError('FILE_CURSOR_INVALID');
  }
  const rows = await files.listFiles(deps.store.db, clientId, { purpose: query.purpose, state: query.state, before }, limit);
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return {
    data: page.map(fileView),
    has_more: hasMore,
    next_cursor: hasMore ? Buffer.from(page[page.length - 1].id, 'latin1').toString('base64url') : null,
  };
}
