import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { clients, type Store } from '../store/index.js';
import { generateKey, hashKey, keyDisplayPrefix } from './keys.js';

/** Creates a client with one key. Only the key's hash is stored. */
export async function createClientWithKey(store: Store, clock: Clock, name: string, key: string): Promise<string> {
  const now = clock.now();
  const clientId = randomUUID();
  await store.db.transaction().execute(async (trx) => {
    await clients.insertClient(trx, {
      id: clientId,
      name,
      status: 'active',
      rpm_limit: null,
      max_concurrent: null,
      created_at: now,
    });
    await clients.insertApiKey(trx, {
      id: randomUUID(),
      client_id: clientId,
      key_hash: hashKey(key),
      prefix: keyDisplayPrefix(key),
      created_at: now,
      expires_at: null,
      revoked_at: null,
    });
  });
  return clientId;
}

/**
 * One client per configured key (ATELIER_API_KEYS). With none configured and an empty
 * store, creates a dev key and returns it so the caller can show it once.
 */
export async function seedClients(store: Store, clock: Clock, keys: string[]): Promise<{ devKey: string | null }> {
  for (const key of keys) {
    if (await clients.findApiKeyByHash(store.db, hashKey(key))) continue;
    await createClientWithKey(store, clock, `seeded ${keyDisplayPrefix(key)}`, key);
  }
  if (keys.length > 0 || (await clients.countApiKeys(store.db)) > 0) return { devKey: null };
  const devKey = generateKey();
  await createClientWithKey(store, clock, 'dev', devKey);
  return { devKey };
}
