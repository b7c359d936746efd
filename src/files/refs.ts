import { apiError } from '../contract/index.js';
import { files, type Store } from '../store/index.js';
import { fileKind, type FileKind } from './kinds.js';

/** The blob of a `file_id` ref: the client's own file, ready, not expired, and of the kind the position takes. */
export async function resolveFileRef(store: Store, clientId: string, path: string, id: string, now: number, kind: FileKind = 'image'): Promise<string> {
  const file = await files.getFile(store.db, id.toLowerCase(), clientId);
  if (!file) throw apiError('REF_FILE_NOT_FOUND', { path, id });
  if (file.state === 'deleted' || (file.expires_at !== null && file.expires_at <= now)) throw apiError('REF_FILE_DELETED', { path, id });
  if (file.state !== 'ready' || !file.blob_key) throw apiError('REF_FILE_NOT_READY', { path, id, state: file.state });
  if (fileKind(file.mime_type) !== kind) throw apiError(kind === 'image' ? 'REF_FILE_NOT_IMAGE' : 'REF_FILE_NOT_VIDEO', { path, id });
  return file.blob_key;
}
