import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiError } from '../contract/index.js';

/** Bodies from this size up are counted against their key's bytes in flight. */
export const LARGE_BODY_BYTES = 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** Body bytes this request holds of its key's allowance, given back when it ends. */
    bodyBytesHeld: number;
  }
}

/** A large body (or one of unknown length) to come: the case every guard of big uploads is about. */
export function isLargeBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return length === undefined ? request.headers['transfer-encoding'] !== undefined : Number(length) >= LARGE_BODY_BYTES;
}

/**
 * Caps the body bytes one key has on their way in at once, so one tenant's uploads can't take every
 * parser and all the memory. A declared length is refused up front; a chunked body is counted as it
 * arrives. Runs after authentication (onRequest) and before any body is read.
 */
export function capBodyBytesInFlight(app: FastifyInstance, maxBytes: number): void {
  if (maxBytes <= 0) return;
  const inFlight = new Map<string, number>();
  const give = (clientId: string, bytes: number) => {
    const left = (inFlight.get(clientId) ?? 0) - bytes;
    if (left <= 0) inFlight.delete(clientId);
    else inFlight.set(clientId, left);
  };
  const release = (request: FastifyRequest) => {
    if (request.bodyBytesHeld === 0 || !request.principal) return;
    give(request.principal.clientId, request.bodyBytesHeld);
    request.bodyBytesHeld = 0;
  };
  const refusal = () => apiError('BODY_BYTES_IN_FLIGHT', { limit: Math.floor(maxBytes / 2 ** 20) });

  app.decorateRequest('bodyBytesHeld', 0);
  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (!request.principal || !isLargeBody(request)) return done(null, payload);
    const clientId = request.principal.clientId;
    const length = request.headers['content-length'];
    if (length !== undefined) {
      const bytes = Number(length);
      if ((inFlight.get(clientId) ?? 0) + bytes > maxBytes) return done(refusal(), payload);
      inFlight.set(clientId, (inFlight.get(clientId) ?? 0) + bytes);
      request.bodyBytesHeld = bytes;
      return done(null, payload);
    }
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if ((inFlight.get(clientId) ?? 0) + chunk.length > maxBytes) return callback(refusal());
        inFlight.set(clientId, (inFlight.get(clientId) ?? 0) + chunk.length);
        request.bodyBytesHeld += chunk.length;
        callback(null, chunk);
      },
    });
    payload.on('error', (err) => counted.destroy(err));
    done(null, payload.pipe(counted));
  });
  app.addHook('onResponse', (request, _reply, done) => {
    release(request);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    release(request);
    done();
  });
}
