import type { TObject } from '@sinclair/typebox';
import { GenerationListQuery, WebhookDeliveryQuery } from './extension-schemas.js';

/** What openapi.ts lends: its reference, error and header helpers. */
export interface OpenApiParts {
  ref(name: string): object;
  errorResponse(description: string): object;
  headers: object;
}

const EXTENSION = 'Extension beyond the Luma API (docs/extensions.md); absent with --strict.';

export const queryParameters = (schema: TObject) =>
  Object.entries(schema.properties).map(([name, property]) => ({ name, in: 'query', schema: JSON.parse(JSON.stringify(property)) }));

const generationId = { name: 'generation_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const webhookId = { name: 'webhook_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const deliveryId = { name: 'delivery_id', in: 'path', required: true, schema: { type: 'string' } };

export const idempotencyKeyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: `${EXTENSION} The same key and body within 24 h replays the first response (Idempotent-Replayed: true); another body is a 422; a duplicate in flight a 409.`,
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

const preferHeader = {
  name: 'Prefer',
  in: 'header',
  required: false,
  description: `${EXTENSION} wait=N (N ≤ 60): the response waits until the generation ends or N seconds pass (Preference-Applied: wait=N).`,
  schema: { type: 'string', examples: ['wait=30'] },
};

const lastEventId = {
  name: 'Last-Event-ID',
  in: 'header',
  required: false,
  description: 'Replay the events after this id (EventSource sends it on reconnect; `?last_event_id=` works too).',
  schema: { type: 'string' },
};

const eventStream = (description: string) => ({
  description,
  content: { 'text/event-stream': { schema: { type: 'string', description: 'id: <event id>\nevent: generation.completed\ndata: {"type", "timestamp", "data": Generation}' } } },
});

/** The extension endpoints, each tagged `x-atelier-extension`. */
export function extensionPaths({ ref, errorResponse, headers }: OpenApiParts) {
  const json = (schema: object, description: string) => ({ description, headers, content: { 'application/json': { schema } } });
  const auth = { '401': errorResponse('Missing or invalid API key') };
  const rotateBody = { required: false, content: { 'application/json': { schema: ref('WebhookSecretRotateParams') } } };
  const ext = (operationId: string, summary: string, rest: object) => ({ operationId, summary, description: EXTENSION, 'x-atelier-extension': true, ...rest });
  return {
    createHeaders: [idempotencyKeyHeader, preferHeader],
    list: {
      get: {
        operationId: 'listGenerations',
        summary: 'List generations, newest first',
        description: EXTENSION,
        'x-atelier-extension': true,
        parameters: queryParameters(GenerationListQuery),
        responses: {
          '200': json(ref('GenerationList'), 'A page of generations'),
          '400': errorResponse('Invalid query'),
          '401': errorResponse('Missing or invalid API key'),
        },
      },
    },
    paths: {
      '/v1/generations/{generation_id}/cancel': {
        post: {
          operationId: 'cancelGeneration',
          summary: 'Cancel a generation',
          description: `${EXTENSION} A queued generation never runs; a running one is stopped. Either ends failed (failure_code generation_failed) with cancelled_at set, and its hold is refunded.`,
          'x-atelier-extension': true,
          parameters: [generationId],
          responses: {
            '200': json(ref('Generation'), 'The cancelled generation'),
            '401': errorResponse('Missing or invalid API key'),
            '404': errorResponse('Generation not found'),
            '409': errorResponse('Already completed or failed'),
          },
        },
      },
      '/v1/generations/{generation_id}/events': {
        get: ext('streamGenerationEvents', 'Server-Sent Events of one generation, ending at its terminal state', {
          parameters: [generationId, lastEventId],
          responses: { '200': eventStream('Where it stands, then each state change and progress'), ...auth, '404': errorResponse('Generation not found') },
        }),
      },
      '/v1/events': {
        get: ext('streamEvents', "Server-Sent Events of all of the client's generations and files", {
          parameters: [lastEventId],
          responses: { '200': eventStream('Each state change and progress, as they happen'), ...auth },
        }),
      },
      '/v1/webhooks': {
        post: ext('createWebhookEndpoint', 'Register a webhook endpoint; its secret is shown once', {
          requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookEndpointCreateParams') } } },
          responses: { '201': json(ref('WebhookEndpoint'), 'The endpoint, with its secret'), '400': errorResponse('Invalid fields'), ...auth, '422': errorResponse('URL refused by the SSRF policy') },
        }),
        get: ext('listWebhookEndpoints', 'List webhook endpoints', { responses: { '200': json(ref('WebhookEndpointList'), 'Every endpoint'), ...auth } }),
      },
      '/v1/webhooks/{webhook_id}': {
        get: ext('getWebhookEndpoint', 'Get a webhook endpoint', { parameters: [webhookId], responses: { '200': json(ref('WebhookEndpoint'), 'The endpoint'), ...auth, '404': errorResponse('Not found') } }),
        patch: ext('updateWebhookEndpoint', 'Change, enable or disable a webhook endpoint', {
          parameters: [webhookId],
          requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookEndpointUpdateParams') } } },
          responses: { '200': json(ref('WebhookEndpoint'), 'The endpoint'), ...auth, '404': errorResponse('Not found'), '422': errorResponse('URL refused') },
        }),
        delete: ext('deleteWebhookEndpoint', 'Delete a webhook endpoint; its pending deliveries are given up', {
          parameters: [webhookId],
          responses: { '204': { description: 'Deleted', headers }, ...auth, '404': errorResponse('Not found') },
        }),
      },
      '/v1/webhooks/{webhook_id}/rotate': {
        post: ext('rotateWebhookSecret', 'A new signing secret, shown once; the old one keeps signing beside it for the grace period', {
          parameters: [webhookId],
          requestBody: rotateBody,
          responses: { '200': json(ref('WebhookEndpoint'), 'The endpoint, with its new secret'), '400': errorResponse('Invalid grace_seconds'), ...auth, '404': errorResponse('Not found') },
        }),
      },
      '/v1/webhooks/default/secret': {
        get: ext('getWebhookDefaultSecret', 'The secret that signs deliveries to per-request webhook_url', { responses: { '200': json(ref('WebhookSecret'), 'The secret'), ...auth } }),
      },
      '/v1/webhooks/default/secret/rotate': {
        post: ext('rotateWebhookDefaultSecret', 'A new per-request secret; the old one keeps signing beside it for the grace period', {
          requestBody: rotateBody,
          responses: { '200': json(ref('WebhookSecret'), 'The new secret'), '400': errorResponse('Invalid grace_seconds'), ...auth },
        }),
      },
      '/v1/webhooks/deliveries': {
        get: ext('listWebhookDeliveries', 'The delivery log, newest first', {
          parameters: queryParameters(WebhookDeliveryQuery),
          responses: { '200': json(ref('WebhookDeliveryList'), 'A page of deliveries'), '400': errorResponse('Invalid query'), ...auth },
        }),
      },
      '/v1/webhooks/deliveries/{delivery_id}': {
        get: ext('getWebhookDelivery', 'A delivery and every attempt', {
          parameters: [deliveryId],
          responses: { '200': json(ref('WebhookDelivery'), 'The delivery with attempt_log'), ...auth, '404': errorResponse('Not found') },
        }),
      },
      '/v1/webhooks/deliveries/{delivery_id}/redeliver': {
        post: ext('redeliverWebhook', 'Send a delivery again now (same webhook-id)', {
          parameters: [deliveryId],
          responses: { '202': json(ref('WebhookDelivery'), 'Pending again'), ...auth, '404': errorResponse('Not found') },
        }),
      },
    },
  };
}
