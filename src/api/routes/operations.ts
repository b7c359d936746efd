import type { FastifyInstance } from 'fastify';
import { apiError } from '../../contract/index.js';
import { openApiDocument } from '../../contract/openapi.js';
import { refuseOtherMethods } from '../app.js';
import type { ApiDeps } from '../context.js';

/** Health and metrics, unauthenticated: every process role serves these. */
export function healthRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'isReady' | 'metrics'>): void {
  app.get('/healthz', async () => {
    if (!deps.isReady()) throw apiError('NOT_READY');
    return { status: 'ok' };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  for (const url of ['/healthz', '/metrics']) refuseOtherMethods(app, url, ['GET']);
}

/** Health, metrics and the OpenAPI document: unauthenticated. */
export function operationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  healthRoutes(app, deps);
  const document = JSON.stringify(openApiDocument());
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json').send(document));
  refuseOtherMethods(app, '/openapi.json', ['GET']);
}
