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
  /** How long a rotated secret signs beside the new one when the rotation doesn't say. */
  secretGraceMs: number;
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** Checks a delivery URL against the SSRF policy of input URLs; the address is checked again when it is connected to. */
export function checkWebhookUrl(url: string, path: string, allowPrivate: boolean): string {
  return checkUrlTarget(url, path, { allowPrivate, checkAddress }).toString();
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Until when the secret before the last rotation still signs; null once it doesn't. */
const previousUntil = (row: { previous_secret?: string | null; previous_secret_until?: number | null }, now: number) =>
  row.previous_secret && (row.previous_secret_until ?? 0) > now ? iso(row.previous_secret_until!) : null;

export function endpointView(row: WebhookEndpointTable, now: number, withSecret = false) {
  return {
    id: row.id,
    url: row.url,
    events: row.events ? row.events.split(',') : [],
    description: row.description,
    enabled: row.disabled_at === null,
    key_id: row.api_key_id ?? null,
    previous_secret_expires_at: previousUntil(row, now),
    created_at: iso(row.created_at),
    ...(withSecret ? { secret: row.secret } : {}),
  };
}

/** Extension: a client's webhook endpoints (POST/GET/PATCH/DELETE /v1/webhooks); `keyId` limits one to that key's events. */
export async function createEndpoint(deps: EndpointDeps, clientId: string, body: WebhookEndpointCreate, keyId: string | null = null) {
  const now = deps.clock.now();
  const row: WebhookEndpointTable = {
    id: timeOrderedId(now),
    client_id: clientId,
    api_key_id: keyId,
    url: checkWebhookUrl(body.url, 'url', deps.allowPrivateUrls),
    secret: newSecret(),
    events: [...new Set(body.events ?? [])].join(','),
    description: body.description ?? null,
    disabled_at: null,
    created_at: now,
  };
  await webhooks.insertEndpoint(deps.store.db, row);
  return endpointView(row, now, true);
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
  return endpointView({ ...current, ...changes }, deps.clock.now());
}

export async function deleteEndpoint(deps: EndpointDeps, clientId: string, id: string) {
  const deleted = await deps.store.transact((trx) => webhooks.deleteEndpoint(trx, clientId, id));
  if (!deleted) throw apiError('WEBHOOK_NOT_FOUND');
}

/** When a rotation's old secret stops signing: `graceSeconds` if given, else the configured grace. */
const graceEnd = (deps: EndpointDeps, now: number, graceSeconds: number | undefined) => now + (graceSeconds === undefined ? deps.secretGraceMs : graceSeconds * 1000);

/**
 * A new secret for an endpoint, shown once. Standard Webhooks lets `webhook-signature` carry
 * several signatures, so the old secret keeps signing beside it until the grace ends: receivers
 * switch over without dropping a delivery. Rotating again within the grace drops the oldest.
 */
export async function rotateSecret(deps: EndpointDeps, clientId: string, id: string, graceSeconds?: number) {
  const now = deps.clock.now();
  await webhooks.rotateEndpointSecret(deps.store.db, clientId, id, newSecret(), graceEnd(deps, now, graceSeconds));
  return endpointView(await getEndpoint(deps, clientId, id), now, true);
}

/** The secret that signs deliveries to per-request `webhook_url`s, made on first use. */
export async function defaultSecret(deps: EndpointDeps, clientId: string) {
  const now = deps.clock.now();
  const row = await webhooks.clientSecret(deps.store.db, clientId, newSecret(), now);
  return { secret: row.secret, previous_secret_expires_at: previousUntil(row, now) };
}

/** Rotates the per-request secret, with the same grace as an endpoint's. */
export async function rotateDefaultSecret(deps: EndpointDeps, clientId: string, graceSeconds?: number) {
  const now = deps.clock.now();
  const row = await webhooks.rotateClientSecret(deps.store.db, clientId, newSecret(), now, graceEnd(deps, now, graceSeconds));
  return { secret: row.secret, previous_secret_expires_at: previousUntil(row, now) };
}
