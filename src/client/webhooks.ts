import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { FileObject, Generation } from './types.js';

export { WebhookVerificationError };

/** What an Atelier webhook carries: the event type, when it happened, and the object as a GET returns it. */
export type WebhookEvent =
  | { type: 'generation.processing' | 'generation.completed' | 'generation.failed'; timestamp: string; data: Generation }
  | { type: 'file.ready' | 'file.failed'; timestamp: string; data: FileObject };

/**
 * Checks a webhook's Standard Webhooks signature (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`; at most 5 minutes old) against the endpoint's `whsec_…` secret, and returns
 * the parsed event. Pass the body exactly as received. Throws WebhookVerificationError otherwise.
 */
export function verifyWebhook(body: string | Buffer, headers: Headers | Record<string, string | string[] | undefined>, secret: string): WebhookEvent {
  const get = (name: string) => {
    if (headers instanceof Headers) return headers.get(name) ?? '';
    const value = headers[name] ?? headers[name.toLowerCase()];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  };
  const plain = { 'webhook-id': get('webhook-id'), 'webhook-timestamp': get('webhook-timestamp'), 'webhook-signature': get('webhook-signature') };
  return new Webhook(secret).verify(typeof body === 'string' ? body : body.toString('utf8'), plain) as WebhookEvent;
}
