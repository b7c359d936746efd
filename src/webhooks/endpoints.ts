import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { apiError, type WebhookEndpointCreate, type WebhookEndpointUpdate } from '../contract/index.js';
import { checkAddress, checkUrlTarget } from '../media/fetch/index.js';
import { timeOrderedId, webhooks, type Store, type WebhookEndpointTable } from '../store/index.js';

export interface EndpointDeps {
  store: Store;
  clock: Clock;
  /** The input-URL policy: --allow-private-urls lets deliveries go to http:// and private addresses. */
  allowPrivateUrls: boolean;
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** Checks a delivery URL against the SSRF policy of input URLs; the address is checked again when it is connected to. */
export function checkWebhookUrl(url: string, path: string, allowPrivate: boolean): string {
  return checkUrlTarget(url, path, { allowPrivate, checkAddress }).toString();
}

const iso = (ms: number) => new Date(ms).toISOString();

export function endpointView(row: WebhookEndpointTable, withSecret = false) {
  return {
    id: row.id,
    url: row.url,
    events: row.events ? row.events.split(',') : [],
    description: row.description,
    enabled: row.disabled_at === null,
    created_at: iso(row.created_at),
    ...(withSecret ? { secret: row.secret } : {}),
  };
}

/** Extension: a client's webhook endpoints (POST/GET/PATCH/DELETE /v1/webhooks). */
export async function createEndpoint(deps: EndpointDeps, clientId: string, body: WebhookEndpointCreate) {
  const now = deps.clock.now();
  const row: WebhookEndpointTable = {
    id: timeOrderedId(now),
    client_id: clientId,
    url: checkWebhookUrl(body.url, 'url', deps.allowPrivateUrls),
    secret: newSecret(),
    events: [...new Set(body.events ?? [])].join(','),
    description: body.description ?? null,
    disabled_at: null,
    created_at: now,
  };
  await webhooks.insertEndpoint(deps.store.db, row);
  return endpointView(row, true);
}

export async function getEndpoint(deps: EndpointDeps, clientId: string, id: string) {
  const row = await webhooks.getEndpoint(deps.store.db, clientId, id);
  if (!row) throw apiError('WEBHOOK_NOT_FOUND');
  return row;
}

export async function updateEndpoint(deps: EndpointDeps, clientId: string, id: string, body: WebhookEndpointUpdate) {
  const current = await getEndpoint(deps, clientId, id);
  const changes: Parameters<typeof webhooks.updateEndpoint>[3] = {};
  if (body.url !== undefined) changes.url = checkWebhookUrl(body.url, 'url', deps.allowPrivateUrls);
  if (body.events !== undefined) changes.events = [...new Set(body.events)].join(',');
  if (body.description !== undefined) changes.description = body.description;
  if (body.enabled !== undefined) changes.disabled_at = body.enabled ? null : (current.disabled_at ?? deps.clock.now());
  if (Object.keys(changes).length > 0) await webhooks.updateEndpoint(deps.store.db, clientId, id, changes);
  return endpointView({ ...current, ...changes });
}

export async function deleteEndpoint(deps: EndpointDeps, clientId: string, id: string) {
  const deleted = await deps.store.transact((trx) => webhooks.deleteEndpoint(trx, clientId, id));
  if (!deleted) throw apiError('WEBHOOK_NOT_FOUND');
}

/** The secret that signs deliveries to per-request `webhook_url`s, made on first use. */
export async function defaultSecret(deps: EndpointDeps, clientId: string): Promise<string> {
  return webhooks.clientSecret(deps.store.db, clientId, newSecret(), deps.clock.now());
}
