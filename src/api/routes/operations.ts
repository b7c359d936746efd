import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { apiError } from '../../contract/index.js';
import { openApiDocument } from '../../contract/openapi.js';
import { refuseOtherMethods } from '../app.js';
import type { ApiDeps } from '../context.js';

/** Whether the request carries `Bearer <token>`, compared in constant time. */
function hasToken(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(authorization ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Health and metrics: every process role serves these. /metrics is open unless a token is set;
 * `metrics: false` leaves it to a separate listener (ATELIER_METRICS_ADDRESS).
 */
export function healthRoutes(
  app: FastifyInstance,
  deps: Pick<ApiDeps, 'isReady' | 'metrics'> & { metricsToken: string },
  options: { metrics: boolean } = { metrics: true },
): void {
  app.get('/healthz', async () => {
    if (!deps.isReady()) throw apiError('NOT_READY');
    return { status: 'ok' };
  });
  refuseOtherMethods(app, '/healthz', ['GET']);
  if (!options.metrics) return;
  app.get('/metrics', async (request, reply) => {
    if (deps.metricsToken && !hasToken(request.headers.authorization, deps.metricsToken)) {
      reply.header('www-authenticate', 'Bearer');
      throw apiError('METRICS_UNAUTHORIZED');
    }
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  refuseOtherMethods(app, '/metrics', ['GET']);
}

/** Health, metrics and the OpenAPI document: unauthenticated. */
export function operationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  healthRoutes(app, { ...deps, metricsToken: deps.config.metricsToken }, { metrics: deps.config.metricsAddress === '' });
  const document = JSON.stringify(openApiDocument({ models: deps.routing.models().map((model) => model.id), extensions: !deps.config.strict }));
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json').send(document));
  refuseOtherMethods(app, '/openapi.json', ['GET']);
}
