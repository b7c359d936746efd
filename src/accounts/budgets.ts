import { apiError } from '../contract/index.js';
import { ledger, type Store } from '../store/index.js';
import { formatUsd } from './pricing.js';

const PERIOD_NAMES = { day: 'daily', month: 'monthly' } as const;

/** Start of the current UTC day or month. */
export function periodStart(period: 'day' | 'month', now: number): number {
  const date = new Date(now);
  return period === 'day'
    ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())
    : Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** A gateway's cap on what one end user (`user_id`) may spend per day or month. */
export async function checkUserBudgets(db: Store['db'], clientId: string, userId: string, price: number, now: number) {
  for (const budget of await ledger.listUserBudgets(db, clientId, userId)) {
    const spent = await ledger.userSpend(db, clientId, userId, periodStart(budget.period, now));
    if (spent + price > budget.limit_micros) {
      throw apiError('USER_BUDGET_EXCEEDED', {
        user_id: userId,
        spent: formatUsd(spent),
        period: PERIOD_NAMES[budget.period],
        limit: formatUsd(budget.limit_micros),
      });
    }
  }
}
