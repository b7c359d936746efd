import type { Kysely, Transaction } from 'kysely';
import type { ApiKeyTable, ClientTable, Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertClient(db: Db, client: ClientTable): Promise<void> {
  await db.insertInto('clients').values(client).execute();
}

export async function insertApiKey(db: Db, key: ApiKeyTable): Promise<void> {
  await db.insertInto('api_keys').values(key).execute();
}

export async function countApiKeys(db: Db): Promise<number> {
  const row = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findApiKeyByHash(db: Db, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .innerJoin('clients', 'clients.id', 'api_keys.client_id')
    .select([
      'api_keys.id as key_id',
      'api_keys.key_hash',
      'api_keys.expires_at',
      'api_keys.revoked_at',
      'api_keys.fault',
      'clients.id as client_id',
      'clients.status',
      'clients.rpm_limit',
      'clients.max_concurrent',
      'clients.balance_micros',
    ])
    .where('api_keys.key_hash', '=', keyHash)
    .executeTakeFirst();
}

export async function listClients(db: Db) {
  return db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function getClient(db: Db, id: string) {
  return db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateClient(
  db: Db,
  id: string,
  changes: Partial<Pick<ClientTable, 'name' | 'status' | 'rpm_limit' | 'max_concurrent'>>,
): Promise<boolean> {
  if (Object.keys(changes).length === 0) return (await getClient(db, id)) !== undefined;
  const result = await db.updateTable('clients').set(changes).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listApiKeys(db: Db, clientId: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'client_id', 'prefix', 'created_at', 'expires_at', 'revoked_at', 'fault'])
    .where('client_id', '=', clientId)
    .orderBy('created_at')
    .execute();
}

export async function getApiKey(db: Db, id: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'client_id', 'prefix', 'created_at', 'expires_at', 'revoked_at', 'fault'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updateApiKey(db: Db, id: string, changes: Partial<Pick<ApiKeyTable, 'expires_at' | 'revoked_at' | 'fault'>>): Promise<boolean> {
  const result = await db.updateTable('api_keys').set(changes).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
