import type { FastifyInstance } from 'fastify';
import { apiError } from '../../contract/index.js';
import { openApiDocument } from '../../contract/openapi.js';
import { refuseOtherMethods } from '../app.js';
import type { ApiDeps } from '../context.js';

/** Health, metrics and the OpenAPI document: unauthenticated. */
export function operationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/healthz', async () => {
    if (!deps.isReady()) throw apiError('NOT_READY');
    return { status: 'ok' };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  const document = JSON.stringify(openApiDocument({ models: deps.routing.models().map((model) => model.id) }));
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json').send(document));
  for (const url of ['/healthz', '/metrics', '/openapi.json']) refuseOtherMethods(app, url, ['GET']);
}
