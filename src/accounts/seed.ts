import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { clients, ledger, type Store } from '../store/index.js';
import { generateKey, hashKey, keyDisplayPrefix } from './keys.js';

/** Creates a client with one key. Only the key's hash is stored. */
export async function createClientWithKey(
  store: Store,
  clock: Clock,
  name: string,
  key: string,
  balanceMicros: number | null = null,
): Promise<string> {
  const now = clock.now();
  const clientId = randomUUID();
  await store.db.transaction().execute(async (trx) => {
    await clients.insertClient(trx, {
      id: clientId,
      name,
      status: 'active',
      rpm_limit: null,
      max_concurrent: null,
      balance_micros: balanceMicros,
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
    if (balanceMicros) {
      const credit = { client_id: clientId, kind: 'credit' as const, amount_micros: balanceMicros, generation_id: null, user_id: null };
      await ledger.appendLedger(trx, { ...credit, reason: 'initial credits', created_at: now });
    }
  });
  return clientId;
}

/**
 * One client per configured key (ATELIER_API_KEYS). With none configured and an empty
 * store, creates a dev key and returns it so the caller can show it once.
 */
export async function seedClients(
  store: Store,
  clock: Clock,
  keys: string[],
  balanceMicros: number | null = null,
): Promise<{ devKey: string | null }> {
  for (const key of keys) {
    if (await clients.findApiKeyByHash(store.db, hashKey(key))) continue;
    try {
      await createClientWithKey(store, clock, `seeded ${keyDisplayPrefix(key)}`, key, balanceMicros);
    } catch (err) {
      // API processes starting together race to seed the same key: the loser finds it stored.
      if (!(await clients.findApiKeyByHash(store.db, hashKey(key)))) throw err;
    }
  }
  if (keys.length > 0 || (await clients.countApiKeys(store.db)) > 0) return { devKey: null };
  const devKey = generateKey();
  await createClientWithKey(store, clock, 'dev', devKey, balanceMicros);
  return { devKey };
}
