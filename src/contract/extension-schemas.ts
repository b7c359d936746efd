import { Type, type Static } from '@sinclair/typebox';
import { GENERATION_TYPES, Generation, MODELS, STATES, WEBHOOK_EVENTS } from './schemas.js';

const literals = <T extends readonly string[]>(values: T, options: object = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const DEFAULT_GENERATION_PAGE = 25;

/** Extension: GET /v1/generations. */
export const GenerationListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_GENERATION_PAGE })),
  state: Type.Optional(literals(STATES)),
  type: Type.Optional(literals(GENERATION_TYPES)),
  model: Type.Optional(literals(MODELS)),
  user_id: Type.Optional(Type.String({ maxLength: 256 })),
  created_after: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after this instant' })),
  created_before: Type.Optional(Type.String({ format: 'date-time', description: 'Created before this instant' })),
});
export type GenerationListQuery = Static<typeof GenerationListQuery>;

export const GenerationList = Type.Object({
  data: Type.Array(Generation),
  has_more: Type.Boolean(),
  next_cursor: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  thumbnails: Type.Record(Type.String({ format: 'uuid' }), Type.Array(Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'uri' })), {
    description:
      'Signed URLs (1 hour) of small WebP thumbnails of the completed generations on this page, by id, one per output in output order (a video: its first frame; null where none can be made). The items themselves are exactly GET /v1/generations/{id}.',
  }),
});

const nullable = <T>(type: string, options: object = {}) => Type.Unsafe<T | null>({ type: [type, 'null'], ...options });
const WebhookEventList = Type.Array(literals(WEBHOOK_EVENTS), { maxItems: WEBHOOK_EVENTS.length, description: 'Event types to send; empty or absent = all' });

/** Extension: POST /v1/webhooks. */
export const WebhookEndpointCreate = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  events: Type.Optional(WebhookEventList),
  description: Type.Optional(nullable<string>('string', { maxLength: 500 })),
});
export type WebhookEndpointCreate = Static<typeof WebhookEndpointCreate>;

export const WebhookEndpointUpdate = Type.Object({
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  events: Type.Optional(WebhookEventList),
  description: Type.Optional(nullable<string>('string', { maxLength: 500 })),
  enabled: Type.Optional(Type.Boolean()),
});
export type WebhookEndpointUpdate = Static<typeof WebhookEndpointUpdate>;

export const WebhookEndpoint = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: nullable<string>('string'),
  enabled: Type.Boolean(),
  key_id: nullable<string>('string', { description: 'Only the events of this API key’s generations and files (set through the admin API); null = every key of the client' }),
  previous_secret_expires_at: nullable<string>('string', {
    format: 'date-time',
    description: 'After a rotation: until when the old secret signs too (a second signature in webhook-signature); null when it no longer does',
  }),
  created_at: Type.String({ format: 'date-time' }),
  secret: Type.Optional(Type.String({ description: 'whsec_…: shown only in the response that creates the endpoint or rotates its secret' })),
});

export const WebhookEndpointList = Type.Object({ data: Type.Array(WebhookEndpoint) });

export const WebhookSecret = Type.Object({
  secret: Type.String({ description: 'whsec_…: signs deliveries to per-request webhook_url' }),
  previous_secret_expires_at: nullable<string>('string', { format: 'date-time', description: 'After a rotation: until when the old secret signs too' }),
});

/** Extension: POST …/rotate. The body may be absent. */
export const WebhookSecretRotate = Type.Object({
  grace_seconds: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600, description: 'How long the old secret keeps signing beside the new one; default ATELIER_WEBHOOK_SECRET_GRACE_MS (24 h); 0 drops it now' }),
  ),
});
export type WebhookSecretRotate = Static<typeof WebhookSecretRotate>;

export const WEBHOOK_DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;

export const WebhookAttempt = Type.Object({
  attempt: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  status: nullable<number>('integer', { description: "The receiver's HTTP status; null when none came" }),
  error: nullable<string>('string'),
  duration_ms: Type.Integer(),
});

export const WebhookDelivery = Type.Object({
  id: Type.String(),
  endpoint_id: nullable<string>('string', { description: 'null for a per-request webhook_url' }),
  event_id: Type.String({ description: 'The webhook-id header: the same on every attempt' }),
  type: Type.String(),
  subject_id: Type.String({ description: 'The generation or file id' }),
  url: Type.String(),
  state: literals(WEBHOOK_DELIVERY_STATES),
  attempts: Type.Integer(),
  next_attempt_at: nullable<string>('string', { format: 'date-time' }),
  last_status: nullable<number>('integer'),
  last_error: nullable<string>('string'),
  created_at: Type.String({ format: 'date-time' }),
  delivered_at: nullable<string>('string', { format: 'date-time' }),
  attempt_log: Type.Optional(Type.Array(WebhookAttempt)),
});

export const WebhookDeliveryList = Type.Object({
  data: Type.Array(WebhookDelivery),
  has_more: Type.Boolean(),
  next_cursor: nullable<string>('string'),
});

export const WebhookDeliveryQuery = Type.Object({
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
  endpoint_id: Type.Optional(Type.String({ format: 'uuid' })),
  subject_id: Type.Optional(Type.String({ format: 'uuid', description: 'A generation or file id' })),
  state: Type.Optional(literals(WEBHOOK_DELIVERY_STATES)),
});
export type WebhookDeliveryQuery = Static<typeof WebhookDeliveryQuery>;
