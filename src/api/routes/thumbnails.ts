import type { FastifyInstance } from 'fastify';
import { apiError } from '../../contract/index.js';
import { checkSignature } from '../../storage/index.js';
import { thumbnailKey, Thumbnailer, ThumbnailUnavailable } from '../../thumbnails/index.js';
import { refuseOtherMethods } from '../app.js';
import type { ApiDeps } from '../context.js';

/**
 * Extension (absent with --strict): `GET /v1/thumbnails/<output key>?expires=…&signature=…`, a small
 * WebP of an image output or a video's first frame, made on first request and kept in the blob store.
 * The signature, minted in the generation list's `thumbnails`, is the authorisation.
 */
export function thumbnailRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'config' | 'blobs' | 'video' | 'secret' | 'clock'>): void {
  if (deps.config.strict) return;
  const thumbnailer = new Thumbnailer({ blobs: deps.blobs, video: deps.video });
  app.get<{ Params: { '*': string }; Querystring: { expires?: string; signature?: string } }>('/v1/thumbnails/*', async (request, reply) => {
    const key = request.params['*'];
    const { expires = '', signature = '' } = request.query;
    const check = checkSignature(deps.secret, thumbnailKey(key), String(expires), String(signature), deps.clock.now());
    if (check === 'invalid') throw apiError('BLOB_URL_INVALID');
    if (check === 'expired') throw apiError('BLOB_URL_EXPIRED');
    let thumbnail: Buffer | null;
    try {
      thumbnail = await thumbnailer.get(key);
    } catch (err) {
      if (!(err instanceof ThumbnailUnavailable)) throw err;
      request.log.warn({ key, reason: err.message }, 'no thumbnail');
      throw apiError('THUMBNAIL_UNAVAILABLE');
    }
    if (!thumbnail) throw apiError('BLOB_NOT_FOUND');
    return reply.type('image/webp').header('cache-control', 'private, max-age=3600').send(thumbnail);
  });
  refuseOtherMethods(app, '/v1/thumbnails/*', ['GET']);
}
