import type { FastifyInstance } from 'fastify';
import { apiError, ErrorBody, Generation, GenerationCreate, generationSchemaError, generationSchemasFor } from '../../contract/index.js';
import { FAULT_HEADER } from '../../emulator/emulator.js';
import { generationView, submitGeneration } from '../../generations/index.js';
import { generations } from '../../store/index.js';
import { refuseOtherMethods } from '../app.js';
import { authenticate, baseUrl, type ApiDeps } from '../context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function generationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const onRequest = authenticate(deps);
  const served = generationSchemasFor(deps.routing.models().map((model) => model.id));

  app.post<{ Body: GenerationCreate }>(
    '/v1/generations',
    {
      onRequest,
      schema: { body: served.GenerationCreate, response: { 201: Generation, default: ErrorBody } },
      config: { schemaError: generationSchemaError },
    },
    async (request, reply) => {
      if (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body)) throw apiError('BODY_NOT_OBJECT');
      const emulate = deps.emulator?.beforeSubmit({
        header: request.headers[FAULT_HEADER],
        idempotencyKey: request.headers['idempotency-key'],
        principal: request.principal!,
        body: request.body,
        log: request.log,
      });
      const { row, headers } = await submitGeneration(deps, request.principal!, request.body, emulate);
      reply.code(201).headers(headers);
      return generationView(row, baseUrl(deps.config, request), deps.secret, deps.clock.now());
    },
  );
  refuseOtherMethods(app, '/v1/generations', ['POST']);

  app.get<{ Params: { id: string } }>(
    '/v1/generations/:id',
    { onRequest, schema: { response: { 200: Generation, default: ErrorBody } } },
    async (request) => {
      const { id } = request.params;
      const row = UUID.test(id) ? await generations.getGeneration(deps.store, id.toLowerCase(), request.principal!.clientId) : undefined;
      if (!row) throw apiError('GENERATION_NOT_FOUND');
      return generationView(row, baseUrl(deps.config, request), deps.secret, deps.clock.now());
    },
  );
  refuseOtherMethods(app, '/v1/generations/:id', ['GET']);
}
