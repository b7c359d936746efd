import type { Kysely, Transaction } from 'kysely';
import type { Store } from './database.js';
import { timeOrderedId } from './ids.js';
import { compiledOnce, execute, preparedInsert } from './prepared.js';
import type { Database, LedgerTable, UserBudgetTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

const insertLedger = preparedInsert('ledger');

export async function appendLedger(db: Db, entry: Omit<LedgerTable, 'id'>): Promise<void> {
  await insertLedger(db, { id: timeOrderedId(entry.created_at), ...entry });
}

/**
 * Moves `delta` micro-dollars into (positive) or out of (negative) a balance. Never takes a
 * balance below zero: returns false instead. An unlimited (null) balance always succeeds.
 */
const moveFundsQuery = compiledOnce((db) =>
  db
    .updateTable('clients')
    .set((eb) => ({ balance_micros: eb('balance_micros', '+', 0) }))
    .where('id', '=', '')
    .where((eb) => eb.or([eb('balance_micros', 'is', null), eb('balance_micros', '>=', 0)])),
);

/**
 * Moves `delta` micro-dollars into (positive) or out of (negative) a balance. Never takes a
 * balance below zero: returns false instead. An unlimited (null) balance always succeeds.
 */
export async function moveFunds(db: Db, clientId: string, delta: number): Promise<boolean> {
  const result = await execute(db, moveFundsQuery(db), [delta, clientId, -delta]);
  return Number(result.numAffectedRows) === 1;
}

const balanceQuery = compiledOnce((db) => db.selectFrom('clients').select('balance_micros').where('id', '=', ''));

/** The committed balance, on the hot read path. */
export async function readBalance(store: Store, clientId: string): Promise<number | null | undefined> {
  const rows = await store.read(balanceQuery(store.db), [clientId]);
  return rows[0]?.balance_micros;
}

export async function getBalance(db: Db, clientId: string): Promise<number | null | undefined> {
  const row = await db.selectFrom('clients').select('balance_micros').where('id', '=', clientId).executeTakeFirst();
  return row?.balance_micros;
}

export async function setBalance(db: Db, clientId: string, balance: number | null): Promise<void> {
  await db.updateTable('clients').set({ balance_micros: balance }).where('id', '=', clientId).execute();
}

export async function ledgerSum(db: Db, clientId: string): Promise<number> {
  const row = await db
    .selectFrom('ledger')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_micros'), eb.lit(0)).as('total'))
    .where('client_id', '=', clientId)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function listLedger(db: Db, clientId: string, limit: number) {
  return db.selectFrom('ledger').selectAll().where('client_id', '=', clientId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
}

/** What a user_id has been charged or has on hold since `since` (failed generations are refunded). */
export async function userSpend(db: Db, clientId: string, userId: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('generations')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('price_micros'), eb.lit(0)).as('total'))
    .where('client_id', '=', clientId)
    .where('user_id', '=', userId)
    .where('created_at', '>=', since)
    .where('state', '!=', 'failed')
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function listUserBudgets(db: Db, clientId: string, userId: string) {
  return db.selectFrom('user_budgets').selectAll().where('client_id', '=', clientId).where('user_id', '=', userId).execute();
}

export async function findLedgerEntry(db: Db, generationId: string, kind: LedgerTable['kind']) {
  return db.selectFrom('ledger').selectAll().where('generation_id', '=', generationId).where('kind', '=', kind).executeTakeFirst();
}

export async function putUserBudget(db: Db, budget: UserBudgetTable): Promise<void> {
  await db
    .insertInto('user_budgets')
    .values(budget)
    .onConflict((oc) => oc.columns(['client_id', 'user_id', 'period']).doUpdateSet({ limit_micros: budget.limit_micros }))
    .execute();
}

export async function deleteUserBudget(db: Db, clientId: string, userId: string, period: UserBudgetTable['period']): Promise<void> {
  await db.deleteFrom('user_budgets').where('client_id', '=', clientId).where('user_id', '=', userId).where('period', '=', period).execute();
}
