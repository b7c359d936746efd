import type { FileObject } from '../contract/index.js';
import type { FileTable } from '../store/index.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The File object of spec §6.6. */
export function fileView(row: FileTable): FileObject {
  return {
    id: row.id,
    created_at: new Date(row.created_at).toISOString(),
    mime_type: row.mime_type,
    purpose: row.purpose,
    size_bytes: row.size_bytes,
    state: row.state,
    deleted_at: iso(row.deleted_at),
    expires_at: iso(row.expires_at),
    failure_reason: row.failure_reason,
    filename: row.filename,
    user_id: row.user_id,
  };
}
