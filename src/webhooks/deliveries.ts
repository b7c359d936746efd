import { apiError, type WebhookDeliveryQuery } from '../contract/index.js';
import { webhooks, type Store, type WebhookAttemptTable, type WebhookDeliveryTable } from '../store/index.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function deliveryView(row: WebhookDeliveryTable, attempts?: WebhookAttemptTable[]) {
  return {
    id: row.id,
    endpoint_id: row.endpoint_id,
    event_id: `msg_${row.id}`,
    type: row.type,
    subject_id: row.subject_id,
    url: row.url,
    state: row.state,
    attempts: row.attempts,
    next_attempt_at: iso(row.next_attempt_at),
    last_status: row.last_status,
    last_error: row.last_error,
    created_at: iso(row.created_at)!,
    delivered_at: iso(row.delivered_at),
    ...(attempts && { attempt_log: attempts.map((a) => ({ attempt: a.attempt, at: iso(a.at)!, status: a.status, error: a.error, duration_ms: a.duration_ms })) }),
  };
}

/** A page of a client's delivery log, newest first, with a keyset cursor. */
export async function deliveryPage(store: Store, clientId: string, query: WebhookDeliveryQuery) {
  const { limit = 25, cursor, endpoint_id, subject_id, state } = query;
  let before: string | undefined;
  if (cursor !== undefined) {
    before = Buffer.from(cursor, 'base64url').toString('latin1');
    if (!/^\d{15}:/.test(before)) throw apiError('FILE_CURSOR_INVALID');
  }
  const rows = await webhooks.listDeliveries(store.db, clientId, { endpointId: endpoint_id, subjectId: subject_id, state, before }, limit);
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data: page.map((row) => deliveryView(row)), has_more: hasMore, next_cursor: hasMore ? Buffer.from(page[page.length - 1].id, 'latin1').toString('base64url') : null };
}

/** A delivery with every attempt. */
export async function deliveryDetail(store: Store, row: WebhookDeliveryTable | undefined) {
  if (!row) throw apiError('WEBHOOK_DELIVERY_NOT_FOUND');
  return deliveryView(row, await webhooks.listAttempts(store.db, row.id));
}

/** Makes a delivery pending again, due now; `poke` wakes the deliverer. */
export async function redeliver(store: Store, row: WebhookDeliveryTable | undefined, now: number, poke: () => void) {
  if (!row) throw apiError('WEBHOOK_DELIVERY_NOT_FOUND');
  await webhooks.redeliver(store.db, row.client_id, row.id, now);
  poke();
  return deliveryView((await webhooks.getDelivery(store.db, row.client_id, row.id))!);
}
