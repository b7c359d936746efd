import type { FastifyInstance, FastifyRequest, RequestPayload } from 'fastify';
import type { RpmDecision } from '../../accounts/index.js';
import { isLargeBody } from '../body-guard.js';
import { apiError, ErrorBody, Generation, GenerationCreate, GenerationList, GenerationListQuery, generationSchemaError, generationSchemasFor } from '../../contract/index.js';
import { FAULT_HEADER } from '../../emulator/emulator.js';
import { awaitEnd, cancelGeneration, generationView, listGenerations, preferredWait, QueuePositions, rateLimited, submitGeneration, takeRpmSlot } from '../../generations/index.js';
import { webhooks, type GenerationTable } from '../../store/index.js';
import { checkWebhookUrl } from '../../webhooks/endpoints.js';
import { pageThumbnails } from '../../thumbnails/index.js';
import { Idempotency } from '../idempotency.js';
import { generations } from '../../store/index.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../store/index.js';
import { refuseOtherMethods } from '../app.js';
import { authenticate, baseUrl, type ApiDeps } from '../context.js';
import { queryRules } from '../query.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Generation object as this server shows it: with the extension fields unless --strict. */
export function presenter(deps: ApiDeps) {
  const positions = deps.config.strict ? null : new QueuePositions(deps);
  /** `submitted`: the row was just queued by this request (its job need not be read back). */
  return async (row: generations.GenerationView, request: FastifyRequest, submitted = false) => {
    const now = deps.clock.now();
    const base = baseUrl(deps.config, request);
    if (!positions) return generationView(row, deps.urls, base, now);
    let queue = row.state !== 'queued' ? undefined : submitted ? positions.ofSubmitted(row) : positions.of(row.id);
    if (queue instanceof Promise) queue = await queue; // the hot path answers without one
    return generationView(row, deps.urls, base, now, { queue });
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The RPM slot a large submit took before its body was read. */
    rpmTaken: RpmDecision | null;
  }
}

/**
 * The extensions of a submit: `webhook_url` (checked like input URLs) is subscribed, and the
 * Idempotency-Key's response saved, in the transaction that stores the generation; `Prefer: wait`.
 */
function submitExtension(deps: ApiDeps, request: FastifyRequest<{ Body: GenerationCreate }>) {
  const body = request.body;
  const webhookUrl = body.webhook_url == null ? null : checkWebhookUrl(body.webhook_url, 'webhook_url', deps.config.allowPrivateUrls);
  const claim = request.idempotencyClaim;
  const alsoStore = async (trx: Transaction<Database>, row: GenerationTable) => {
    if (webhookUrl) {
      const events = [...new Set(body.webhook_events_filter ?? ['generation.processing', 'generation.completed', 'generation.failed'])].join(',');
      await webhooks.insertSubscription(trx, { subject_id: row.id, client_id: row.client_id, url: webhookUrl, events, created_at: row.created_at });
    }
    if (claim) await Idempotency.saveWith(trx, claim, 201, await generationView(row, deps.urls, baseUrl(deps.config, request), row.created_at, {}));
  };
  return { alsoStore: webhookUrl || claim ? alsoStore : undefined, wait: preferredWait(request.headers.prefer) };
}

export function generationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const onRequest = authenticate(deps);
  const served = generationSchemasFor(deps.routing.models().map((model) => model.id));
  app.decorateRequest('rpmTaken', null);
  // A large body takes its RPM slot before it is read: over the limit it is refused unread, and
  // refused or not it counts, so sending large bodies that fail costs the sender like any submit.
  const preParsing = (request: FastifyRequest, _reply: unknown, payload: RequestPayload, done: (err: Error | null, payload?: RequestPayload) => void) => {
    if (!isLargeBody(request)) return done(null, payload);
    takeRpmSlot(deps.limiter, request.principal!, deps.config, deps.clock.now()).then((rpm) => {
      if (rpm && !rpm.allowed) return done(rateLimited(rpm), payload);
      request.rpmTaken = rpm;
      done(null, payload);
    }, done);
  };
  const present = presenter(deps);
  const idempotency = deps.config.strict ? null : new Idempotency(deps);

  app.post<{ Body: GenerationCreate }>(
    '/v1/generations',
    {
      onRequest,
      preParsing,
      ...idempotency?.jsonRoute(),
      schema: { body: served.GenerationCreate, response: { 201: Generation, default: ErrorBody } },
      config: { schemaError: generationSchemaError },
    },
    async (request, reply) => {
      if (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body)) throw apiError('BODY_NOT_OBJECT');
      const emulate = await deps.emulator?.beforeSubmit({
        header: request.headers[FAULT_HEADER],
        idempotencyKey: request.headers['idempotency-key'],
        principal: request.principal!,
        body: request.body,
        log: request.log,
      });
      const extension = deps.config.strict ? undefined : submitExtension(deps, request);
      const { row, headers } = await submitGeneration(deps, request.principal!, request.body, emulate, request.rpmTaken, extension?.alsoStore);
      reply.code(201).headers(headers);
      if (extension?.wait === undefined) return present(row, request, true);
      reply.header('preference-applied', `wait=${extension.wait}`);
      return present(await awaitEnd(deps, row.id, row.client_id, extension.wait * 1000), request);
    },
  );

  if (!deps.config.strict) {
    app.get<{ Querystring: GenerationListQuery }>(
      '/v1/generations',
      { onRequest, ...queryRules(GenerationListQuery), schema: { querystring: GenerationListQuery, response: { 200: GenerationList, default: ErrorBody } } },
      async (request) => {
        const page = await listGenerations(deps.store, request.principal!.clientId, request.query);
        const data = [];
        for (const row of page.rows) data.push(await present(row, request));
        const thumbnails = pageThumbnails(page.rows, baseUrl(deps.config, request), deps.secret, deps.clock.now());
        return { data, has_more: page.hasMore, next_cursor: page.nextCursor, thumbnails };
      },
    );
  }
  refuseOtherMethods(app, '/v1/generations', deps.config.strict ? ['POST'] : ['GET', 'POST']);

  app.get<{ Params: { id: string } }>(
    '/v1/generations/:id',
    { onRequest, schema: { response: { 200: Generation, default: ErrorBody } } },
    async (request) => {
      const { id } = request.params;
      const row = UUID.test(id) ? await generations.getGeneration(deps.store, id.toLowerCase(), request.principal!.clientId) : undefined;
      if (!row) throw apiError('GENERATION_NOT_FOUND');
      return present(row, request);
    },
  );
  refuseOtherMethods(app, '/v1/generations/:id', ['GET']);

  if (deps.config.strict) return;
  app.post<{ Params: { id: string } }>(
    '/v1/generations/:id/cancel',
    { onRequest, schema: { response: { 200: Generation, default: ErrorBody } } },
    async (request) => {
      const { id } = request.params;
      if (!UUID.test(id)) throw apiError('GENERATION_NOT_FOUND');
      return present(await cancelGeneration(deps, request.principal!.clientId, id.toLowerCase()), request);
    },
  );
  refuseOtherMethods(app, '/v1/generations/:id/cancel', ['POST']);
}
