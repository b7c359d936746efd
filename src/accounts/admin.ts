import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoSeconds } from '../clock.js';
import { apiError } from '../contract/index.js';
import { clients, generations, ledger, type ClientTable, type Store } from '../store/index.js';
import { generateKey, hashKey, keyDisplayPrefix } from './keys.js';
import { createClientWithKey } from './seed.js';

/** The operator's view of clients, keys and money: shared by the admin API and `atelier` commands. */
export interface AdminDeps {
  store: Store;
  clock: Clock;
  /** Called after a change that cached key lookups must not outlive. */
  changed(): void;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function clientView(row: ClientTable) {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    rpm_limit: row.rpm_limit,
    max_concurrent: row.max_concurrent,
    balance_micros: row.balance_micros,
    created_at: iso(row.created_at),
  };
}

type KeyRow = NonNullable<Awaited<ReturnType<typeof clients.getApiKey>>>;
const keyView = (row: KeyRow) => ({ ...row, created_at: iso(row.created_at), expires_at: iso(row.expires_at), revoked_at: iso(row.revoked_at) });

async function requireClient(deps: AdminDeps, id: string): Promise<ClientTable> {
  const row = await clients.getClient(deps.store.db, id);
  if (!row) throw apiError('CLIENT_NOT_FOUND');
  return row;
}

export async function createClient(
  deps: AdminDeps,
  input: { name: string; balance_micros?: number | null; rpm_limit?: number | null; max_concurrent?: number | null },
) {
  const key = generateKey();
  const id = await createClientWithKey(deps.store, deps.clock, input.name, key, input.balance_micros ?? null);
  await clients.updateClient(deps.store.db, id, { rpm_limit: input.rpm_limit ?? null, max_concurrent: input.max_concurrent ?? null });
  return { client: clientView(await requireClient(deps, id)), key };
}

export async function listClients(deps: AdminDeps) {
  return (await clients.listClients(deps.store.db)).map(clientView);
}

export async function getClient(deps: AdminDeps, id: string) {
  return clientView(await requireClient(deps, id));
}

export async function updateClient(
  deps: AdminDeps,
  id: string,
  changes: Partial<Pick<ClientTable, 'name' | 'status' | 'rpm_limit' | 'max_concurrent'>>,
) {
  if (!(await clients.updateClient(deps.store.db, id, changes))) throw apiError('CLIENT_NOT_FOUND');
  deps.changed();
  return getClient(deps, id);
}

export async function createKey(deps: AdminDeps, clientId: string, expiresAt: number | null, fault: string | null = null) {
  await requireClient(deps, clientId);
  const key = generateKey();
  const id = randomUUID();
  await clients.insertApiKey(deps.store.db, {
    id,
    client_id: clientId,
    key_hash: hashKey(key),
    prefix: keyDisplayPrefix(key),
    created_at: deps.clock.now(),
    expires_at: expiresAt,
    revoked_at: null,
    fault,
  });
  return { ...keyView((await clients.getApiKey(deps.store.db, id))!), key };
}

export async function listKeys(deps: AdminDeps, clientId: string) {
  await requireClient(deps, clientId);
  return (await clients.listApiKeys(deps.store.db, clientId)).map(keyView);
}

export async function updateKey(
  deps: AdminDeps,
  keyId: string,
  changes: { revoke?: boolean; expires_at?: number | null; fault?: string | null },
) {
  const update = {
    ...(changes.fault !== undefined ? { fault: changes.fault } : {}),
    ...(changes.revoke ? { revoked_at: deps.clock.now() } : {}),
    ...(changes.expires_at !== undefined ? { expires_at: changes.expires_at } : {}),
  };
  if (!(await clients.getApiKey(deps.store.db, keyId))) throw apiError('KEY_NOT_FOUND');
  if (Object.keys(update).length > 0) await clients.updateApiKey(deps.store.db, keyId, update);
  deps.changed();
  return keyView((await clients.getApiKey(deps.store.db, keyId))!);
}

/**
 * Changes a balance and records why. `set` records the difference; `unlimited` turns
 * metering off. A debit that would go below zero is refused.
 */
export async function adjustCredits(
  deps: AdminDeps,
  clientId: string,
  change: { op: 'credit' | 'debit' | 'set' | 'unlimited'; amount_micros?: number; reason?: string | null },
) {
  const now = deps.clock.now();
  await deps.store.db.transaction().execute(async (trx) => {
    if (!(await clients.getClient(trx, clientId))) throw apiError('CLIENT_NOT_FOUND');
    await generations.lockClient(trx, deps.store.dialect, clientId);
    const current = (await ledger.getBalance(trx, clientId)) ?? null;
    if (change.op === 'unlimited') return ledger.setBalance(trx, clientId, null);
    const amount = change.amount_micros ?? 0;
    const delta = change.op === 'credit' ? amount : change.op === 'debit' ? -amount : amount - (current ?? 0);
    if (current === null) {
      // Metering starts here: the ledger opens with the current (empty) balance.
      await ledger.setBalance(trx, clientId, 0);
    }
    if ((current ?? 0) + delta < 0) throw apiError('BALANCE_NEGATIVE');
    await ledger.moveFunds(trx, clientId, delta);
    await ledger.appendLedger(trx, {
      client_id: clientId,
      kind: delta >= 0 ? 'credit' : 'debit',
      amount_micros: delta,
      generation_id: null,
      user_id: null,
      reason: change.reason ?? change.op,
      created_at: now,
    });
  });
  deps.changed();
  return getClient(deps, clientId);
}

export async function listLedger(deps: AdminDeps, clientId: string, limit: number) {
  await requireClient(deps, clientId);
  const rows = await ledger.listLedger(deps.store.db, clientId, limit);
  return rows.map((r) => ({ ...r, created_at: isoSeconds(r.created_at) }));
}

export async function setUserBudget(deps: AdminDeps, clientId: string, userId: string, period: 'day' | 'month', limitMicros: number | null) {
  await requireClient(deps, clientId);
  if (limitMicros === null) await ledger.deleteUserBudget(deps.store.db, clientId, userId, period);
  else await ledger.putUserBudget(deps.store.db, { client_id: clientId, user_id: userId, period, limit_micros: limitMicros });
  return (await ledger.listUserBudgets(deps.store.db, clientId, userId)).map((b) => ({ user_id: b.user_id, period: b.period, limit_micros: b.limit_micros }));
}
