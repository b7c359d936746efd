import type { FastifyInstance } from 'fastify';
import { apiError, fieldSchemaError, WebhookDeliveryQuery, WebhookEndpointCreate, WebhookEndpointUpdate, type WebhookSecretRotate } from '../../contract/index.js';
import { clients, webhooks } from '../../store/index.js';
import * as deliveries from '../../webhooks/deliveries.js';
import * as endpoints from '../../webhooks/endpoints.js';
import type { ApiDeps } from '../context.js';
import { queryRules } from '../query.js';
import { endpointId, endpointService, rotateOptions } from './webhooks.js';

/**
 * Extension, in the admin scope: the webhook endpoints of any client or of one of its keys (an
 * endpoint of a key gets only the events of that key's generations and files), secret rotation,
 * and the delivery log. The same services as `/v1/webhooks`, found by id instead of by caller.
 */
export function webhookAdminRoutes(scope: FastifyInstance, deps: Pick<ApiDeps, 'store' | 'clock' | 'config'>, poke: () => void): void {
  const service = endpointService(deps);
  const schemaError = { config: { schemaError: fieldSchemaError } };
  const client = async (id: string) => {
    if (!(await clients.getClient(deps.store.db, id))) throw apiError('CLIENT_NOT_FOUND');
    return id;
  };
  const key = async (id: string) => {
    const row = await clients.getApiKey(deps.store.db, id);
    if (!row) throw apiError('KEY_NOT_FOUND');
    return row;
  };
  const endpoint = async (id: string) => {
    const row = await webhooks.findEndpoint(deps.store.db, endpointId(id));
    if (!row) throw apiError('WEBHOOK_NOT_FOUND');
    return row;
  };
  const list = async (clientId: string, keyId?: string) => {
    const now = deps.clock.now();
    return { data: (await webhooks.listEndpoints(deps.store.db, clientId, keyId)).map((row) => endpoints.endpointView(row, now)) };
  };

  scope.post<{ Params: { id: string }; Body: WebhookEndpointCreate }>(
    '/clients/:id/webhooks',
    { ...schemaError, schema: { body: WebhookEndpointCreate } },
    async (request, reply) => {
      const created = await endpoints.createEndpoint(service, await client(request.params.id), request.body);
      reply.code(201);
      return created;
    },
  );
  scope.get<{ Params: { id: string } }>('/clients/:id/webhooks', async (request) => list(await client(request.params.id)));
  scope.post<{ Params: { id: string }; Body: WebhookEndpointCreate }>('/keys/:id/webhooks', { ...schemaError, schema: { body: WebhookEndpointCreate } }, async (request, reply) => {
    const row = await key(request.params.id);
    const created = await endpoints.createEndpoint(service, row.client_id, request.body, row.id);
    reply.code(201);
    return created;
  });
  scope.get<{ Params: { id: string } }>('/keys/:id/webhooks', async (request) => {
    const row = await key(request.params.id);
    return list(row.client_id, row.id);
  });

  scope.get<{ Params: { id: string } }>('/webhooks/:id', async (request) => endpoints.endpointView(await endpoint(request.params.id), deps.clock.now()));
  scope.patch<{ Params: { id: string }; Body: WebhookEndpointUpdate }>('/webhooks/:id', { ...schemaError, schema: { body: WebhookEndpointUpdate } }, async (request) => {
    const row = await endpoint(request.params.id);
    return endpoints.updateEndpoint(service, row.client_id, row.id, request.body);
  });
  scope.delete<{ Params: { id: string } }>('/webhooks/:id', async (request, reply) => {
    const row = await endpoint(request.params.id);
    await endpoints.deleteEndpoint(service, row.client_id, row.id);
    reply.code(204).send();
  });
  scope.post<{ Params: { id: string }; Body: WebhookSecretRotate }>('/webhooks/:id/rotate', rotateOptions, async (request) => {
    const row = await endpoint(request.params.id);
    return endpoints.rotateSecret(service, row.client_id, row.id, request.body.grace_seconds);
  });

  scope.get<{ Params: { id: string }; Querystring: WebhookDeliveryQuery }>(
    '/clients/:id/webhooks/deliveries',
    { ...queryRules(WebhookDeliveryQuery), schema: { querystring: WebhookDeliveryQuery } },
    async (request) => deliveries.deliveryPage(deps.store, await client(request.params.id), request.query),
  );
  scope.get<{ Params: { id: string } }>('/webhooks/deliveries/:id', async (request) =>
    deliveries.deliveryDetail(deps.store, await webhooks.findDelivery(deps.store.db, request.params.id)),
  );
  scope.post<{ Params: { id: string } }>('/webhooks/deliveries/:id/redeliver', async (request, reply) => {
    const view = await deliveries.redeliver(deps.store, await webhooks.findDelivery(deps.store.db, request.params.id), deps.clock.now(), poke);
    reply.code(202);
    return view;
  });
}
