import type { Transaction } from 'kysely';
import { ledger, type Database, type GenerationTable } from '../store/index.js';

/**
 * Turns a generation's hold into a charge when it completed, or refunds it when it
 * failed (every failure is refunded: the price is fixed at submit, so nothing runs over the hold).
 * Generations submitted without a hold (unlimited balance) have nothing to settle.
 */
export async function settleHold(trx: Transaction<Database>, generation: GenerationTable, completed: boolean, now: number) {
  const hold = await ledger.findLedgerEntry(trx, generation.id, 'hold');
  if (!hold) return;
  const base = { client_id: generation.client_id, generation_id: generation.id, user_id: generation.user_id, created_at: now };
  if (completed) {
    await ledger.appendLedger(trx, { ...base, kind: 'capture', amount_micros: 0, reason: `charged ${-hold.amount_micros} µUSD` });
  } else {
    await ledger.moveFunds(trx, generation.client_id, -hold.amount_micros);
    await ledger.appendLedger(trx, { ...base, kind: 'refund', amount_micros: -hold.amount_micros, reason: generation.failure_code });
  }
}
