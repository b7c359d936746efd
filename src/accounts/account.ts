import { isoSeconds } from '../clock.js';
import { apiError } from '../contract/index.js';
import { clients, ledger, type Store } from '../store/index.js';
import { listClientBudgets } from '../store/operations.js';
import { periodStart } from './budgets.js';
import { formatUsd } from './pricing.js';

const dollars = (micros: number) => formatUsd(micros).slice(1);

/**
 * Extension: what a client may see of its own account (the spec leaves balance to a dashboard):
 * balance, limits, and each user budget with what its user spent in the current period.
 */
export async function accountView(store: Store, clientId: string, now: number) {
  const client = await clients.getClient(store.db, clientId);
  if (!client) throw apiError('CLIENT_NOT_FOUND');
  const budgets = await listClientBudgets(store.db, clientId);
  return {
    id: client.id,
    name: client.name,
    status: client.status,
    balance_usd: client.balance_micros === null ? null : dollars(client.balance_micros),
    rpm_limit: client.rpm_limit,
    max_concurrent: client.max_concurrent,
    budgets: await Promise.all(
      budgets.map(async (b) => {
        const since = periodStart(b.period, now);
        return {
          user_id: b.user_id,
          period: b.period,
          limit_usd: dollars(b.limit_micros),
          spent_usd: dollars(await ledger.userSpend(store.db, clientId, b.user_id, since)),
          period_start: isoSeconds(since),
        };
      }),
    ),
  };
}
