import type { Kysely, Transaction } from 'kysely';
import type { Database, WebhookAttemptTable, WebhookDeliveryTable, WebhookEndpointTable, WebhookSecretTable, WebhookSubscriptionTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertEndpoint(db: Db, row: WebhookEndpointTable): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

/** A client's endpoints, or only those of one of its keys. */
export async function listEndpoints(db: Db, clientId: string, keyId?: string) {
  let query = db.selectFrom('webhook_endpoints').selectAll().where('client_id', '=', clientId);
  if (keyId !== undefined) query = query.where('api_key_id', '=', keyId);
  return query.orderBy('created_at').execute();
}

export async function getEndpoint(db: Db, clientId: string, id: string) {
  return db.selectFrom('webhook_endpoints').selectAll().where('client_id', '=', clientId).where('id', '=', id).executeTakeFirst();
}

/** Any client's endpoint (the admin API). */
export async function findEndpoint(db: Db, id: string) {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A new secret; the current one goes on signing beside it until `until`. */
export async function rotateEndpointSecret(db: Db, clientId: string, id: string, fresh: string, until: number): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set((eb) => ({ previous_secret: eb.ref('secret'), previous_secret_until: until, secret: fresh }))
    .where('client_id', '=', clientId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updateEndpoint(db: Db, clientId: string, id: string, changes: Partial<Pick<WebhookEndpointTable, 'url' | 'events' | 'description' | 'disabled_at'>>) {
  const result = await db.updateTable('webhook_endpoints').set(changes).where('client_id', '=', clientId).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes an endpoint; its pending deliveries are given up. */
export async function deleteEndpoint(db: Db, clientId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('webhook_endpoints').where('client_id', '=', clientId).where('id', '=', id).executeTakeFirst();
  await db
    .updateTable('webhook_deliveries')
    .set({ state: 'failed', next_attempt_at: null, last_error: 'endpoint deleted', locked_until: null })
    .where('endpoint_id', '=', id)
    .where('state', '=', 'pending')
    .execute();
  return Number(result.numDeletedRows) === 1;
}

export async function insertSubscription(db: Db, row: WebhookSubscriptionTable): Promise<void> {
  await db.insertInto('webhook_subscriptions').values(row).execute();
}

/** The client's secret for per-request `webhook_url`s, made on first use. */
export async function clientSecret(db: Db, clientId: string, fresh: string, now: number) {
  await db
    .insertInto('webhook_secrets')
    .values({ client_id: clientId, secret: fresh, created_at: now })
    .onConflict((oc) => oc.column('client_id').doNothing())
    .execute();
  return db.selectFrom('webhook_secrets').selectAll().where('client_id', '=', clientId).executeTakeFirstOrThrow();
}

/** Rotates the client's per-request secret (made first if it has none), as rotateEndpointSecret. */
export async function rotateClientSecret(db: Db, clientId: string, fresh: string, now: number, until: number) {
  const current = await clientSecret(db, clientId, fresh, now);
  if (current.secret === fresh) return current;
  await db
    .updateTable('webhook_secrets')
    .set((eb) => ({ previous_secret: eb.ref('secret'), previous_secret_until: until, secret: fresh }))
    .where('client_id', '=', clientId)
    .execute();
  return db.selectFrom('webhook_secrets').selectAll().where('client_id', '=', clientId).executeTakeFirstOrThrow();
}

/** The secrets a delivery is signed with now: the current one, and the one before while its grace lasts. */
export function signingSecrets(row: Pick<WebhookSecretTable, 'secret' | 'previous_secret' | 'previous_secret_until'>, now: number): string[] {
  return row.previous_secret && (row.previous_secret_until ?? 0) > now ? [row.secret, row.previous_secret] : [row.secret];
}

/** Leases up to `limit` due pending deliveries to this worker until `until`. */
export async function claimDeliveries(db: Db, now: number, until: number, limit: number): Promise<WebhookDeliveryTable[]> {
  const due = db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .orderBy('next_attempt_at')
    .limit(limit);
  return db.updateTable('webhook_deliveries').set({ locked_until: until }).where('id', 'in', due).where('state', '=', 'pending').returningAll().execute();
}

/** Records one attempt and the delivery's new state, in one transaction. */
export async function recordAttempt(
  db: Db,
  attempt: WebhookAttemptTable,
  next: Pick<WebhookDeliveryTable, 'state' | 'next_attempt_at' | 'last_status' | 'last_error' | 'delivered_at'>,
): Promise<void> {
  await db.insertInto('webhook_attempts').values(attempt).execute();
  await db
    .updateTable('webhook_deliveries')
    .set({ ...next, attempts: attempt.attempt, locked_until: null })
    .where('id', '=', attempt.delivery_id)
    .execute();
}

export async function listDeliveries(db: Db, clientId: string, filter: { endpointId?: string; subjectId?: string; state?: string; before?: string }, limit: number) {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('client_id', '=', clientId);
  if (filter.endpointId) query = query.where('endpoint_id', '=', filter.endpointId);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.state) query = query.where('state', '=', filter.state as WebhookDeliveryTable['state']);
  if (filter.before) query = query.where('id', '<', filter.before);
  return query.orderBy('id', 'desc').limit(limit + 1).execute();
}

export async function getDelivery(db: Db, clientId: string, id: string) {
  return db.selectFrom('webhook_deliveries').selectAll().where('client_id', '=', clientId).where('id', '=', id).executeTakeFirst();
}

/** Any client's delivery (the admin API). */
export async function findDelivery(db: Db, id: string) {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAttempts(db: Db, deliveryId: string) {
  return db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt').execute();
}

/** Makes a delivery pending again, due now (a redelivery): its attempts go on counting. */
export async function redeliver(db: Db, clientId: string, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ state: 'pending', next_attempt_at: now, locked_until: null, delivered_at: null })
    .where('client_id', '=', clientId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
