import type { Kysely } from 'kysely';
import type { ApiKeyTable, ClientTable, Database } from './schema.js';

type Db = Kysely<Database>;

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
      'clients.id as client_id',
      'clients.status',
      'clients.rpm_limit',
      'clients.max_concurrent',
    ])
    .where('api_keys.key_hash', '=', keyHash)
    .executeTakeFirst();
}
