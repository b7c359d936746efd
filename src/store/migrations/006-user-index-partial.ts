import { sql, type Kysely } from 'kysely';

/**
 * The index behind per-user spend holds only generations that name a user: the others never match
 * `user_id = ?`, and each insert into it cost as much as a third of the row's own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('generations_client_user_created').execute();
  await db.schema
    .createIndex('generations_client_user_created')
    .on('generations')
    .columns(['client_id', 'user_id', 'created_at'])
    .where(sql.ref('user_id'), 'is not', null)
    .execute();
}
