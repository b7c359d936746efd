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
  WebhookSecretRotate,
} from '../../contract/index.js';
import { webhooks } from '../../store/index.js';
import * as deliveries from '../../webhooks/deliveries.js';
import * as endpoints from '../../webhooks/endpoints.js';
import { refuseOtherMethods } from '../app.js';
import { authenticate, type ApiDeps } from '../context.js';
import { queryRules } from '../query.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A webhook endpoint id in a path: anything else is the endpoint's 404, never a 500 from the store. */
export const endpointId = (id: string) => {
  if (!UUID.test(id)) throw apiError('WEBHOOK_NOT_FOUND');
  return id;
};

/** Route options of a rotation: its body may be absent (curl -X POST), which reads as `{}`. */
export const rotateOptions = {
  config: { schemaError: fieldSchemaError },
  preValidation: async (request: { body: unknown }) => {
    request.body ??= {};
  },
  schema: { body: WebhookSecretRotate },
};

export const endpointService = (deps: Pick<ApiDeps, 'store' | 'clock' | 'config'>): endpoints.EndpointDeps => ({
  store: deps.store,
  clock: deps.clock,
  allowPrivateUrls: deps.config.allowPrivateUrls,
  secretGraceMs: deps.config.webhookSecretGraceMs,
});

/** Extension: `/v1/webhooks` endpoints, the per-request secret and the delivery log (not registered under --strict). */
export function webhookRoutes(app: FastifyInstance, deps: ApiDeps, poke: () => void): void {
  const onRequest = authenticate(deps);
  const service = endpointService(deps);
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
  app.get('/v1/webhooks', { onRequest, schema: { response: { 200: WebhookEndpointList, default: ErrorBody } } }, async (request) => {
    const now = deps.clock.now();
    return { data: (await webhooks.listEndpoints(deps.store.db, client(request))).map((row) => endpoints.endpointView(row, now)) };
  });
  refuseOtherMethods(app, '/v1/webhooks', ['GET', 'POST']);

  app.get('/v1/webhooks/default/secret', { onRequest, schema: { response: { 200: WebhookSecret, default: ErrorBody } } }, async (request) =>
    endpoints.defaultSecret(service, client(request)),
  );
  refuseOtherMethods(app, '/v1/webhooks/default/secret', ['GET']);
  app.post<{ Body: WebhookSecretRotate }>(
    '/v1/webhooks/default/secret/rotate',
    { onRequest, ...rotateOptions, schema: { body: WebhookSecretRotate, response: { 200: WebhookSecret, default: ErrorBody } } },
    async (request) => endpoints.rotateDefaultSecret(service, client(request), request.body.grace_seconds),
  );
  refuseOtherMethods(app, '/v1/webhooks/default/secret/rotate', ['POST']);

  app.get<{ Querystring: WebhookDeliveryQuery }>(
    '/v1/webhooks/deliveries',
    { onRequest, ...queryRules(WebhookDeliveryQuery), schema: { querystring: WebhookDeliveryQuery, response: { 200: WebhookDeliveryList, default: ErrorBody } } },
    async (request) => deliveries.deliveryPage(deps.store, client(request), request.query),
  );
  refuseOtherMethods(app, '/v1/webhooks/deliveries', ['GET']);

  app.get<{ Params: { id: string } }>(
    '/v1/webhooks/deliveries/:id',
    { onRequest, schema: { response: { 200: WebhookDelivery, default: ErrorBody } } },
    async (request) => deliveries.deliveryDetail(deps.store, await webhooks.getDelivery(deps.store.db, client(request), request.params.id)),
  );
  refuseOtherMethods(app, '/v1/webhooks/deliveries/:id', ['GET']);
  app.post<{ Params: { id: string } }>(
    '/v1/webhooks/deliveries/:id/redeliver',
    { onRequest, schema: { response: { 202: WebhookDelivery, default: ErrorBody } } },
    async (request, reply) => {
      const row = await webhooks.getDelivery(deps.store.db, client(request), request.params.id);
      const view = await deliveries.redeliver(deps.store, row, deps.clock.now(), poke);
      reply.code(202);
      return view;
    },
  );
  refuseOtherMethods(app, '/v1/webhooks/deliveries/:id/redeliver', ['POST']);

  app.get<{ Params: { id: string } }>('/v1/webhooks/:id', { onRequest, schema: { response: { 200: WebhookEndpoint, default: ErrorBody } } }, async (request) =>
    endpoints.endpointView(await endpoints.getEndpoint(service, client(request), endpointId(request.params.id)), deps.clock.now()),
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
  app.post<{ Params: { id: string }; Body: WebhookSecretRotate }>(
    '/v1/webhooks/:id/rotate',
    { onRequest, ...rotateOptions, schema: { body: WebhookSecretRotate, response: { 200: WebhookEndpoint, default: ErrorBody } } },
    async (request) => {
      const id = endpointId(request.params.id);
      await endpoints.getEndpoint(service, client(request), id);
      return endpoints.rotateSecret(service, client(request), id, request.body.grace_seconds);
    },
  );
  refuseOtherMethods(app, '/v1/webhooks/:id/rotate', ['POST']);
}
