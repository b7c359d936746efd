import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type HTTPMethods } from 'fastify';
import type { Logger } from 'pino';
import { API_VERSION, apiError, ERRORS } from '../contract/index.js';
import type { HttpLimits } from '../config.js';
import type { Metrics } from '../metrics.js';
import { capBodyBytesInFlight } from './body-guard.js';
import { handleError } from './error-handler.js';
import { logsRequests } from '../logger.js';
import { JsonBodyParser } from './json-body.js';
import { requestLogger } from './request-logger.js';

/** The public API's paths as a client reaches them when its base URL lacks the `/v1`. */
const WITHOUT_V1 = /^\/(generations|files|usage|models)(\/|$)/;

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The bare app: ids and version headers, JSON parsing, error mapping, 404 and 405. */
export function createApp(options: { logger: Logger; bodyLimit: number; metrics: Metrics; http?: HttpLimits; maxDecodedBytes?: number }): FastifyInstance {
  const limits = options.http;
  const readable = logsRequests(options.logger);
  const json = new JsonBodyParser({ bodyLimit: options.bodyLimit, maxDecodedBytes: options.maxDecodedBytes ?? options.bodyLimit });
  const app = Fastify({
    ...(limits && {
      http: {
        headersTimeout: limits.headersTimeoutMs,
        // Node checks the two timeouts above on this interval (30 s by default): often enough that they hold.
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
      },
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionTimeout: limits.socketTimeoutMs,
    }),
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: requestLogger,
    bodyLimit: options.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    return503OnClosing: false,
  });

  // Declared up front so every request object keeps one shape: setting it later costs a shape change per request.
  app.decorateRequest('principal', null);
  app.decorateRequest('decodedTokens', null);
  if (limits) capBodyBytesInFlight(app, limits.maxBodyBytesInFlight);

  // Callback-style hooks: on every request, a promise per hook is measurable.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    reply.header('x-api-version', API_VERSION);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (request.decodedTokens) json.release(request);
    options.metrics.requests.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    if (readable) {
      request.log.info(`${request.method} ${request.url} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`);
    } else if (options.logger.isLevelEnabled('debug')) {
      request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', json.parse);
  app.addHook('onRequestAbort', (request, done) => {
    json.release(request);
    done();
  });
  app.addHook('onClose', () => json.close());

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const detail = WITHOUT_V1.test(path) ? apiError('ROUTE_WITHOUT_V1', { path }).detail : ERRORS.ROUTE_NOT_FOUND.detail;
    reply.code(404).send({ detail });
  });
  return app;
}

/** Answers 405 with `Allow` for the methods a path does not serve. */
export function refuseOtherMethods(app: FastifyInstance, url: string, allowed: HTTPMethods[]): void {
  const served = allowed.includes('GET') ? [...allowed, 'HEAD' as const] : allowed;
  app.route({
    method: METHODS.filter((m) => !served.includes(m)),
    url,
    handler: async (_request, reply) => {
      reply.header('allow', served.join(', '));
      throw apiError('METHOD_NOT_ALLOWED');
    },
  });
}
