import { hashKey } from '../accounts/keys.js';
import { ConfigError } from '../config.js';
import { parseFault, type Fault } from '../faults/fault.js';
import { clients, type Store } from '../store/index.js';

/**
 * ATELIER_KEY_FAULTS, keyed by key id. Kept in memory, never written to the store, so removing
 * the setting removes the scenario. A key the store doesn't know is a configuration error.
 */
export async function configuredKeyFaults(store: Store, keyFaults: Readonly<Record<string, string>>): Promise<Map<string, Fault>> {
  const byKeyId = new Map<string, Fault>();
  for (const [key, text] of Object.entries(keyFaults)) {
    const row = await clients.findApiKeyByHash(store.db, hashKey(key));
    if (!row) throw new ConfigError(`ATELIER_KEY_FAULTS names a key this server doesn't know (${key.slice(0, 13)}…): add it to ATELIER_API_KEYS or create it with atelier keys create`);
    byKeyId.set(row.key_id, parseFault(text)!);
  }
  return byKeyId;
}
