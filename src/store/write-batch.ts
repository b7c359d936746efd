import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type Work<T> = (trx: Transaction<Database>) => Promise<T>;

/** Runs at the start of every transaction, and at its end before the commit. */
export interface TransactionHooks {
  begin(trx: Transaction<Database>): void;
  end(trx: Transaction<Database>): Promise<void>;
}

interface Pending {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit for SQLite. A commit costs far more than the statements of a submit, and SQLite
 * writes one transaction at a time anyway, so the transactions asked for while one commits run
 * together in the next. If any of them throws, the shared transaction is rolled back and each is
 * run again in a transaction of its own, so one failure never leaks into another's outcome.
 * Work must therefore touch nothing but the transaction. Callers learn their outcome only after
 * their commit.
 */
export function batchedTransactions(db: Kysely<Database>, hooks: TransactionHooks): <T>(work: Work<T>) => Promise<T> {
  let queued: Pending[] = [];
  let running = false;

  const transaction = <T>(work: Work<T>) =>
    db.transaction().execute(async (trx) => {
      hooks.begin(trx);
      const result = await work(trx);
      await hooks.end(trx);
      return result;
    });
  const alone = (item: Pending) => transaction(item.work).then(item.resolve, item.reject);

  async function runBatch(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return alone(batch[0]);
    let values: unknown[];
    try {
      values = await transaction(async (trx) => {
        const results: unknown[] = [];
        for (const item of batch) results.push(await item.work(trx));
        return results;
      });
    } catch {
      for (const item of batch) await alone(item);
      return;
    }
    batch.forEach((item, i) => item.resolve(values[i]));
  }

  async function drain(): Promise<void> {
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      await runBatch(batch);
    }
    running = false;
  }

  return <T>(work: Work<T>) =>
    new Promise<T>((resolve, reject) => {
      queued.push({ work: work as Work<unknown>, resolve: resolve as (value: unknown) => void, reject });
      if (running) return;
      running = true;
      setImmediate(() => void drain());
    });
}
