import type { FastifyInstance } from 'fastify';
import { ErrorBody, ModelList } from '../../contract/index.js';
import { refuseOtherMethods } from '../app.js';
import { authenticate, type ApiDeps } from '../context.js';

/** `GET /v1/models` (an extension): the models a client may use here and the types each serves. */
export function modelRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'auth' | 'routing'>): void {
  const listing = { data: deps.routing.models().map(({ id, types }) => ({ id, types: [...types] })) };
  app.get('/v1/models', { onRequest: authenticate(deps), schema: { response: { 200: ModelList, default: ErrorBody } } }, async () => listing);
  refuseOtherMethods(app, '/v1/models', ['GET']);
}
