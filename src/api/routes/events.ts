import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiError } from '../../contract/index.js';
import { generations } from '../../store/index.js';
import { refuseOtherMethods } from '../app.js';
import { authenticate, baseUrl, type ApiDeps } from '../context.js';
import { LiveEvents } from '../live-events.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Last-Event-ID (the header EventSource sends on reconnect, or `?last_event_id=`); a value that isn't an event id is ignored. */
function lastEventId(request: FastifyRequest): number | undefined {
  const raw = request.headers['last-event-id'] ?? (request.query as { last_event_id?: string }).last_event_id;
  const text = Array.isArray(raw) ? raw[0] : raw;
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** The headers set so far (request id, API version), for a stream that writes its own head. */
const headersOf = (reply: FastifyReply) => Object.fromEntries(Object.entries(reply.getHeaders()).map(([k, v]) => [k, String(v)]));

/** Extension: Server-Sent Events of one generation, and of all of a client's generations and files. */
export function eventRoutes(app: FastifyInstance, deps: ApiDeps): LiveEvents {
  const onRequest = authenticate(deps);
  const live = new LiveEvents({ store: deps.store, clock: deps.clock, urls: deps.urls, logger: app.log as never });
  app.addHook('preClose', (done) => {
    live.close();
    done();
  });

  app.get<{ Params: { id: string } }>('/v1/generations/:id/events', { onRequest }, async (request, reply) => {
    const id = request.params.id.toLowerCase();
    const clientId = request.principal!.clientId;
    if (!UUID.test(id) || !(await generations.getGeneration(deps.store, id, clientId))) throw apiError('GENERATION_NOT_FOUND');
    reply.hijack();
    await live.serve(reply.raw, headersOf(reply), { clientId, generationId: id, after: lastEventId(request), baseUrl: baseUrl(deps.config, request) });
  });
  refuseOtherMethods(app, '/v1/generations/:id/events', ['GET']);

  app.get('/v1/events', { onRequest }, async (request, reply) => {
    reply.hijack();
    await live.serve(reply.raw, headersOf(reply), { clientId: request.principal!.clientId, after: lastEventId(request), baseUrl: baseUrl(deps.config, request) });
  });
  refuseOtherMethods(app, '/v1/events', ['GET']);
  return live;
}
