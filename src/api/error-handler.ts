import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, apiError, fieldPath, type SchemaIssue } from '../contract/index.js';
import { isLargeBody } from './body-guard.js';

/** Maps a route's schema issues to an ApiError; routes may set their own (see `config.schemaError`). */
export type SchemaErrorMapper = (issues: SchemaIssue[], body: unknown) => ApiError;

declare module 'fastify' {
  interface FastifyContextConfig {
    schemaError?: SchemaErrorMapper;
  }
}

const defaultSchemaError: SchemaErrorMapper = (issues) =>
  apiError('FIELD_INVALID', { path: fieldPath(issues[0].instancePath) || 'body', reason: issues[0].message ?? 'is invalid' });

/** Fastify's own errors, by code, mapped to the catalogue. */
function frameworkError(err: FastifyError, request: FastifyRequest): ApiError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return apiError('BODY_MEDIA_TYPE', { type: request.headers['content-type'] ?? '' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiError('BODY_TOO_LARGE', { limit: request.routeOptions.bodyLimit ?? 0 });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return apiError('BODY_INVALID_JSON');
    default:
      return null;
  }
}

/** Every error leaves as `{"detail": string}` with the catalogue's status. */
export function handleError(err: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply): void {
  let error: ApiError;
  if (err instanceof ApiError) {
    error = err;
  } else if ((err as FastifyError).validation) {
    const mapper = (request.routeOptions.config as { schemaError?: SchemaErrorMapper }).schemaError ?? defaultSchemaError;
    error = mapper((err as FastifyError).validation as SchemaIssue[], request.body);
  } else {
    const mapped = frameworkError(err as FastifyError, request);
    const status = (err as FastifyError).statusCode ?? 500;
    if (mapped) error = mapped;
    else if (status >= 400 && status < 500) error = new ApiError('FIELD_INVALID', status, err.message);
    else {
      request.log.error({ err }, 'unhandled error');
      error = apiError('INTERNAL');
    }
  }
  // Refused before its large body was read: close rather than read the rest to keep the connection.
  if (!request.raw.complete && isLargeBody(request)) reply.header('connection', 'close');
  reply.code(error.status).headers(error.headers).type('application/json').send({ detail: error.detail });
}
