import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { apiError } from '../../contract/index.js';
import { checkSignature, mediaTypeOf } from '../../storage/index.js';
import { refuseOtherMethods } from '../app.js';
import type { ApiDeps } from '../context.js';

/** Signed blob downloads, streamed from the blob store: the signature is the authorisation (spec §4: presigned, 1 h). */
export function blobRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { '*': string }; Querystring: { expires?: string; signature?: string } }>(
    '/v1/blobs/*',
    async (request, reply) => {
      const key = request.params['*'];
      const { expires = '', signature = '' } = request.query;
      const check = checkSignature(deps.secret, key, String(expires), String(signature), deps.clock.now());
      if (check === 'invalid') throw apiError('BLOB_URL_INVALID');
      if (check === 'expired') throw apiError('BLOB_URL_EXPIRED');
      // A HEAD is answered from the size alone: reading the blob (from a bucket, a whole download) would be thrown away.
      const head = request.method === 'HEAD';
      const blob = head ? await deps.blobs.stat(key) : await deps.blobs.open(key);
      if (!blob) throw apiError('BLOB_NOT_FOUND');
      reply
        .type(mediaTypeOf(key))
        .header('content-length', blob.size)
        .header('cache-control', 'private, max-age=3600')
        .header('content-disposition', `inline; filename="${path.basename(key)}"`);
      return reply.send('stream' in blob ? blob.stream : Readable.from([]));
    },
  );
  refuseOtherMethods(app, '/v1/blobs/*', ['GET']);
}
