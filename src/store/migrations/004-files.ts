import { type Kysely } from 'kysely';

/** Files API (spec §6): one row per file; the bytes are a blob under `files/<id>/`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
    .addColumn('user_id', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('blob_key', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('uploaded_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addColumn('deleted_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Listing is newest first by id (UUIDv7 ids sort by creation time).
  await db.schema.createIndex('files_client_id').on('files').columns(['client_id', 'id']).execute();
  await db.schema.createIndex('files_expires_at').on('files').columns(['expires_at']).execute();
  await db.schema.createIndex('files_state_updated').on('files').columns(['state', 'updated_at']).execute();
}
