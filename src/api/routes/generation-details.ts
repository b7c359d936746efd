import type { FastifyInstance } from 'fastify';
import { apiError, ErrorBody } from '../../contract/index.js';
import { GenerationDetails } from '../../contract/dashboard-schemas.js';
import { generationDetails } from '../../generations/index.js';
import { refuseOtherMethods } from '../app.js';
import { authenticate, baseUrl, type ApiDeps } from '../context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Extension (absent with --strict): `GET /v1/generations/{id}/details`, the request, inputs, price, timings and edits. */
export function generationDetailRoutes(app: FastifyInstance, deps: ApiDeps): void {
  if (deps.config.strict) return;
  app.get<{ Params: { id: string } }>('/v1/generations/:id/details', { onRequest: authenticate(deps), schema: { response: { 200: GenerationDetails, default: ErrorBody } } }, async (request) => {
    const { id } = request.params;
    if (!UUID.test(id)) throw apiError('GENERATION_NOT_FOUND');
    return generationDetails(deps.store, request.principal!.clientId, id.toLowerCase(), deps.urls, baseUrl(deps.config, request), deps.clock.now());
  });
  refuseOtherMethods(app, '/v1/generations/:id/details', ['GET']);
}
