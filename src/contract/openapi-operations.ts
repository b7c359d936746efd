import type { TObject } from '@sinclair/typebox';
import { BudgetPut, ClientCreate, ClientUpdate, ClockAdvance, CreditChange, EmulatorUpdate, KeyCreate, KeyUpdate } from './admin-schemas.js';
import { WebhookDeliveryQuery, WebhookEndpointCreate, WebhookEndpointUpdate, WebhookSecretRotate } from './extension-schemas.js';
import { queryParameters, type OpenApiParts } from './openapi-extensions.js';

const ADMIN = 'Admin API (docs: README "Accounts, money and usage"): on when the server has ATELIER_ADMIN_TOKEN.';
const plain = (schema: TObject) => JSON.parse(JSON.stringify(schema));
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const path = (name: string, description?: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, ...(description ? { description } : {}) });
const query = (name: string, description: string, schema: object = { type: 'string' }) => ({ name, in: 'query', schema, description });

type AdminOperation = (operationId: string, summary: string, extra?: object, ok?: string) => object;

/** The admin API's webhook endpoints (extension: absent with --strict). */
function webhookAdminPaths(admin: AdminOperation, body: (schema: TObject) => object): Record<string, object> {
  const ext = (...args: Parameters<AdminOperation>) => ({ ...admin(...args), 'x-atelier-extension': true });
  const clientId = path('client_id');
  const webhookId = path('webhook_id');
  const deliveryId = path('delivery_id');
  return {
    '/admin/v1/clients/{client_id}/webhooks': {
      get: ext('adminListWebhookEndpoints', "A client's webhook endpoints, those of its keys included", { parameters: [clientId] }),
      post: ext('adminCreateWebhookEndpoint', 'A webhook endpoint for every key of a client; its secret is shown once', { parameters: [clientId], ...body(WebhookEndpointCreate) }, '201'),
    },
    '/admin/v1/keys/{key_id}/webhooks': {
      get: ext('adminListKeyWebhookEndpoints', "A key's webhook endpoints", { parameters: [path('key_id')] }),
      post: ext('adminCreateKeyWebhookEndpoint', "A webhook endpoint for one key: only its generations' and files' events; its secret is shown once", { parameters: [path('key_id')], ...body(WebhookEndpointCreate) }, '201'),
    },
    '/admin/v1/webhooks/{webhook_id}': {
      get: ext('adminGetWebhookEndpoint', 'Get a webhook endpoint', { parameters: [webhookId] }),
      patch: ext('adminUpdateWebhookEndpoint', 'Change, enable or disable a webhook endpoint', { parameters: [webhookId], ...body(WebhookEndpointUpdate) }),
      delete: ext('adminDeleteWebhookEndpoint', 'Delete a webhook endpoint; its pending deliveries are given up', { parameters: [webhookId] }, '204'),
    },
    '/admin/v1/webhooks/{webhook_id}/rotate': {
      post: ext('adminRotateWebhookSecret', 'A new signing secret, shown once; the old one signs beside it for grace_seconds (default 24 h)', {
        parameters: [webhookId],
        requestBody: { required: false, content: { 'application/json': { schema: plain(WebhookSecretRotate) } } },
      }),
    },
    '/admin/v1/clients/{client_id}/webhooks/deliveries': {
      get: ext('adminListWebhookDeliveries', "A client's delivery log, newest first", { parameters: [clientId, ...queryParameters(WebhookDeliveryQuery)] }),
    },
    '/admin/v1/webhooks/deliveries/{delivery_id}': {
      get: ext('adminGetWebhookDelivery', 'A delivery and every attempt', { parameters: [deliveryId] }),
    },
    '/admin/v1/webhooks/deliveries/{delivery_id}/redeliver': {
      post: ext('adminRedeliverWebhook', 'Send a delivery again now (same webhook-id)', { parameters: [deliveryId] }, '202'),
    },
  };
}

/** `/v1/usage`, signed blob downloads, health, metrics, the document itself, and the admin API. */
export function operationPaths({ errorResponse }: OpenApiParts): Record<string, object> {
  const admin = (operationId: string, summary: string, extra: object = {}, ok = '200') => ({
    operationId,
    summary,
    description: ADMIN,
    tags: ['admin'],
    security: [{ admin: [] }],
    ...extra,
    responses: {
      [ok]: json('Done'),
      '401': errorResponse('Missing or invalid admin token'),
      '404': errorResponse('Not found, or the admin API is off (ATELIER_ADMIN_TOKEN unset)'),
      '400': errorResponse('Invalid parameters'),
    },
  });
  const body = (schema: TObject) => ({ requestBody: { required: true, content: { 'application/json': { schema: plain(schema) } } } });
  const clientId = path('client_id');
  return {
    '/v1/usage': {
      get: {
        operationId: 'getUsage',
        summary: "The caller's usage: counts by state and cost, in total and per group",
        parameters: [
          query('start', 'ISO date or instant, inclusive'),
          query('end', 'ISO date or instant, exclusive'),
          query('group_by', 'Grouping: user_id, model, type or day, or two of them joined by a comma (day,model: one row per day and model)', {
            type: 'string',
            pattern: '^(user_id|model|type|day)(,(user_id|model|type|day))?$',
          }),
          query('user_id', 'Only this end user'),
          query('limit', 'Groups per page', { type: 'integer', minimum: 1 }),
          query('cursor', 'From the previous page'),
        ],
        responses: { '200': json('Usage'), '400': errorResponse('Invalid parameters'), '401': errorResponse('Missing or invalid API key') },
      },
    },
    '/v1/blobs/{key}': {
      get: {
        operationId: 'getBlob',
        summary: 'Download an output or input file (the signed URL in a generation; no API key)',
        security: [],
        parameters: [path('key', 'Blob key, slashes included'), query('expires', 'Unix seconds'), query('signature', 'HMAC-SHA256')],
        responses: {
          '200': { description: 'The file', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
          '403': errorResponse('Signed URL has expired, or its signature is invalid'),
          '404': errorResponse('Blob not found'),
        },
      },
    },
    '/healthz': {
      get: {
        operationId: 'health',
        summary: 'Liveness: 200 once the server takes requests',
        security: [],
        responses: { '200': json('{"status":"ok"}'), '503': errorResponse('Not ready yet, or draining') },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics: requests, queue depth, job durations, engine errors, injected faults',
        security: [],
        responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    '/openapi.json': {
      get: { operationId: 'openapi', summary: 'This document', security: [], responses: { '200': json('OpenAPI 3.1') } },
    },
    '/admin/v1/clients': {
      get: admin('listClients', 'List clients'),
      post: admin('createClient', 'Create a client and its first key (shown once)', body(ClientCreate), '201'),
    },
    '/admin/v1/clients/{client_id}': {
      get: admin('getClient', 'Get a client', { parameters: [clientId] }),
      patch: admin('updateClient', 'Suspend, deactivate or reactivate a client; change its limits', { parameters: [clientId], ...body(ClientUpdate) }),
    },
    '/admin/v1/clients/{client_id}/keys': {
      get: admin('listKeys', "List a client's keys", { parameters: [clientId] }),
      post: admin('createKey', 'Create a key (shown once)', { parameters: [clientId], ...body(KeyCreate) }, '201'),
    },
    '/admin/v1/keys/{key_id}': {
      patch: admin('updateKey', "Revoke a key, set its expiry or its emulator fault", { parameters: [path('key_id')], ...body(KeyUpdate) }),
    },
    '/admin/v1/clients/{client_id}/credits': {
      post: admin('changeCredits', 'Credit, debit or set a balance, or make it unlimited', { parameters: [clientId], ...body(CreditChange) }),
    },
    '/admin/v1/clients/{client_id}/ledger': {
      get: admin('listLedger', "A client's ledger, newest first", { parameters: [clientId, query('limit', '1–1000, default 100', { type: 'integer' })] }),
    },
    '/admin/v1/clients/{client_id}/budgets/{user_id}': {
      put: admin('putBudget', "Cap an end user's spend per day or month", { parameters: [clientId, path('user_id')], ...body(BudgetPut) }),
    },
    ...webhookAdminPaths(admin, body),
    '/admin/v1/clock': {
      get: admin('getClock', "The server clock's time"),
    },
    '/admin/v1/clock/advance': {
      post: admin('advanceClock', 'Move a virtual clock forward (--clock virtual)', body(ClockAdvance)),
    },
    '/admin/v1/emulator': {
      get: admin('getEmulator', 'Emulator settings: mode, the latency profile (and the --latency it started with), time scale, chaos, clock, fault grammar'),
      patch: admin('updateEmulator', 'Change the latency profile for every API process from now on (refused in gateway mode)', body(EmulatorUpdate)),
    },
    '/admin/v1/reset': {
      post: admin('reset', 'Emulator: empty generations, files and blobs (refused in gateway mode)'),
    },
    '/admin/v1/workers': {
      get: admin('listWorkers', 'Server processes seen in the last hour, alive or not, and the jobs each runs'),
    },
    '/admin/v1/engines': {
      get: admin('listEngines', "Remote engines per process: breaker state (breakers are per process), failures in a row, jobs in flight against the lane's limit"),
    },
  };
}
