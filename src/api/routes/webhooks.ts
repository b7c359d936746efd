import type { FastifyInstance } from 'fastify';
import {
  apiError,
  ErrorBody,
  fieldSchemaError,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookDeliveryQuery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointList,
  WebhookEndpointUpdate,
  WebhookSecret,
} from '../../contract/index.js';
import { webhooks, type WebhookAttemptTable, type WebhookDeliveryTable } from '../../store/index.js';
import * as endpoints from '../../webhooks/endpoints.js';
import { refuseOtherMethods } from '../app.js';
import { authenticate, type ApiDeps } from '../context.js';
import { queryRules } from '../query.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function deliveryView(row: WebhookDeliveryTable, attempts?: WebhookAttemptTable[]) {
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

/** Extension: `/v1/webhooks` endpoints, the per-request secret and the delivery log (not registered under --strict). */
export function webhookRoutes(app: FastifyInstance, deps: ApiDeps, poke: () => void): void {
  const onRequest = authenticate(deps);
  const service: endpoints.EndpointDeps = { store: deps.store, clock: deps.clock, allowPrivateUrls: deps.config.allowPrivateUrls };
  const schemaError = { config: { schemaError: fieldSchemaError } };
  const client = (request: { principal: { clientId: string } | null }) => request.principal!.clientId;

  app.post<{ Body: WebhookEndpointCreate }>(
    '/v1/webhooks',
    { onRequest, ...schemaError, schema: { body: WebhookEndpointCreate, response: { 201: WebhookEndpoint, default: ErrorBody } } },
    async (request, reply) => {
      reply.code(201);
      return endpoints.createEndpoint(service, client(request), request.body);
    },
  );
  app.get('/v1/webhooks', { onRequest, schema: { response: { 200: WebhookEndpointList, default: ErrorBody } } }, async (request) => ({
    data: (await webhooks.listEndpoints(deps.store.db, client(request))).map((row) => endpoints.endpointView(row)),
  }));
  refuseOtherMethods(app, '/v1/webhooks', ['GET', 'POST']);

  app.get('/v1/webhooks/default/secret', { onRequest, schema: { response: { 200: WebhookSecret, default: ErrorBody } } }, async (request) => ({
    secret: await endpoints.defaultSecret(service, client(request)),
  }));
  refuseOtherMethods(app, '/v1/webhooks/default/secret', ['GET']);

  app.get<{ Querystring: WebhookDeliveryQuery }>(
    '/v1/webhooks/deliveries',
    { onRequest, ...queryRules(WebhookDeliveryQuery), schema: { querystring: WebhookDeliveryQuery, response: { 200: WebhookDeliveryList, default: ErrorBody } } },
    async (request) => {
      const { limit = 25, cursor, endpoint_id, subject_id, state } = request.query;
      let before: string | undefined;
      if (cursor !== undefined) {
        before = Buffer.from(cursor, 'base64url').toString('latin1');
        if (!/^\d{15}:/.test(before)) throw apiError('FILE_CURSOR_INVALID');
      }
      const rows = await webhooks.listDeliveries(deps.store.db, client(request), { endpointId: endpoint_id, subjectId: subject_id, state, before }, limit);
      const page = rows.slice(0, limit);
      const hasMore = rows.length > limit;
      return { data: page.map((row) => deliveryView(row)), has_more: hasMore, next_cursor: hasMore ? Buffer.from(page[page.length - 1].id, 'latin1').toString('base64url') : null };
    },
  );
  refuseOtherMethods(app, '/v1/webhooks/deliveries', ['GET']);

  const delivery = async (clientId: string, id: string) => {
    const row = await webhooks.getDelivery(deps.store.db, clientId, id);
    if (!row) throw apiError('WEBHOOK_DELIVERY_NOT_FOUND');
    return row;
  };
  app.get<{ Params: { id: string } }>(
    '/v1/webhooks/deliveries/:id',
    { onRequest, schema: { response: { 200: WebhookDelivery, default: ErrorBody } } },
    async (request) => {
      const row = await delivery(client(request), request.params.id);
      return deliveryView(row, await webhooks.listAttempts(deps.store.db, row.id));
    },
  );
  refuseOtherMethods(app, '/v1/webhooks/deliveries/:id', ['GET']);
  app.post<{ Params: { id: string } }>(
    '/v1/webhooks/deliveries/:id/redeliver',
    { onRequest, schema: { response: { 202: WebhookDelivery, default: ErrorBody } } },
    async (request, reply) => {
      await delivery(client(request), request.params.id);
      await webhooks.redeliver(deps.store.db, client(request), request.params.id, deps.clock.now());
      poke();
      reply.code(202);
      return deliveryView(await delivery(client(request), request.params.id));
    },
  );
  refuseOtherMethods(app, '/v1/webhooks/deliveries/:id/redeliver', ['POST']);

  const endpointId = (id: string) => {
    if (!UUID.test(id)) throw apiError('WEBHOOK_NOT_FOUND');
    return id;
  };
  app.get<{ Params: { id: string } }>('/v1/webhooks/:id', { onRequest, schema: { response: { 200: WebhookEndpoint, default: ErrorBody } } }, async (request) =>
    endpoints.endpointView(await endpoints.getEndpoint(service, client(request), endpointId(request.params.id))),
  );
  app.patch<{ Params: { id: string }; Body: WebhookEndpointUpdate }>(
    '/v1/webhooks/:id',
    { onRequest, ...schemaError, schema: { body: WebhookEndpointUpdate, response: { 200: WebhookEndpoint, default: ErrorBody } } },
    async (request) => endpoints.updateEndpoint(service, client(request), endpointId(request.params.id), request.body),
  );
  app.delete<{ Params: { id: string } }>('/v1/webhooks/:id', { onRequest }, async (request, reply) => {
    await endpoints.deleteEndpoint(service, client(request), endpointId(request.params.id));
    reply.code(204).send();
  });
  refuseOtherMethods(app, '/v1/webhooks/:id', ['GET', 'PATCH', 'DELETE']);
}
