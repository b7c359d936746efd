import type { Kysely } from 'kysely';

/**
 * Webhook endpoints per API key, and secret rotation with a grace period (docs/extensions.md).
 * An endpoint with `api_key_id` gets only the events of that key's generations and files, so files
 * learn the key that created them. A rotated secret keeps signing, beside the new one, until
 * `previous_secret_until`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook_endpoints').addColumn('api_key_id', 'text').execute();
  for (const table of ['webhook_endpoints', 'webhook_secrets']) {
    await db.schema.alterTable(table).addColumn('previous_secret', 'text').execute();
    await db.schema.alterTable(table).addColumn('previous_secret_until', 'bigint').execute();
  }
  await db.schema.alterTable('files').addColumn('api_key_id', 'text').execute();
}
