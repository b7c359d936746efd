import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fingerprintJson, Idempotency } from '../idempotency.js';
import { apiError, CreateFileResponse, ErrorBody, fieldSchemaError, FileCreate, FileList, FileListQuery, FileObject } from '../../contract/index.js';
import { checkUpload, fileService, type FileDeps, type FileFields } from '../../files/index.js';
import { refuseOtherMethods } from '../app.js';
import { handleError } from '../error-handler.js';
import { multipartError } from '../multipart-error.js';
import { queryRules } from '../query.js';
import { authenticate, baseUrl, type ApiDeps } from '../context.js';

const FIELDS = new Set(['purpose', 'user_id', 'expires_at', 'filename', 'mime_type']);

/**
 * Multipart mode: the part named `file` is streamed to disk; the other parts are the fields. With an
 * Idempotency-Key, the key is claimed once the parts are read (the body's fingerprint is the fields
 * and the file's sha256: multipart boundaries differ between retries); a replay answers on `reply`.
 */
async function multipartUpload(request: FastifyRequest, reply: FastifyReply, deps: FileDeps, idempotency: Idempotency | null) {
  const key = idempotency?.keyOf(request);
  const fields: Record<string, string> = {};
  const digest = createHash('sha256');
  let received: { id: string; size: number; mimeType: string; filename: string | null } | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (FIELDS.has(part.fieldname)) fields[part.fieldname] = String(part.value);
      } else if (part.fieldname !== 'file' || received) {
        part.file.resume();
      } else {
        const source = key === undefined ? part.file : part.file.pipe(new Transform({ transform: (chunk, _enc, done) => done(null, digest.update(chunk) && chunk) }));
        const bytes = await fileService.receiveInlineBytes(deps, fields.mime_type ?? part.mimetype ?? null, source);
        received = { ...bytes, filename: part.filename || null };
      }
    }
  } catch (err) {
    if (received) await deps.blobs.deletePrefix(`files/${received.id}`);
    throw multipartError(err);
  }
  if (!received) throw apiError('FILE_PART_MISSING');
  if (key !== undefined) {
    const fingerprint = fingerprintJson({ fields, file: digest.digest('base64url'), filename: received.filename });
    const replayed = await idempotency!.begin(request, reply, key, fingerprint).catch(async (err) => {
      await deps.blobs.deletePrefix(`files/${received.id}`);
      throw err;
    });
    if (replayed) {
      await deps.blobs.deletePrefix(`files/${received.id}`);
      return reply;
    }
  }
  const { mime_type: _ignored, ...rest } = fields;
  return fileService.createInlineFile(deps, request.principal!, received, rest as FileFields);
}

/** Files API (spec §6), plus the presigned upload target its JSON mode hands out. */
export function fileRoutes(app: FastifyInstance, api: ApiDeps, deps: FileDeps): void {
  const onRequest = authenticate(api);
  const idempotency = api.config.strict ? null : new Idempotency(api);

  app.register(async (scope) => {
    scope.setErrorHandler((err: FastifyError, request, reply) =>
      handleError(err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? apiError('FILE_BODY_MEDIA_TYPE', { type: request.headers['content-type'] ?? '' }) : err, request, reply),
    );
    await scope.register(multipart, {
      limits: { files: 1, fields: 10, fieldSize: 4096, parts: 12, fileSize: Math.max(deps.limits.maxImageBytes, deps.limits.maxVideoBytes) + 1 },
    });
    scope.post<{ Body: FileCreate }>(
      '/v1/files',
      {
        onRequest,
        ...idempotency?.jsonRoute(),
        schema: { body: { content: { 'application/json': { schema: FileCreate } } }, response: { 201: CreateFileResponse, default: ErrorBody } },
        config: { schemaError: fieldSchemaError },
      },
      async (request, reply) => {
        const created = request.isMultipart()
          ? await multipartUpload(request, reply, deps, idempotency)
          : await fileService.createPresignedFile(deps, request.principal!, request.body, baseUrl(api.config, request));
        if ((created as unknown) === reply) return reply;
        reply.code(201);
        return created;
      },
    );
  });
  refuseOtherMethods(app, '/v1/files', ['GET', 'POST']);

  app.get<{ Querystring: FileListQuery }>(
    '/v1/files',
    { onRequest, ...queryRules(FileListQuery), schema: { querystring: FileListQuery, response: { 200: FileList, default: ErrorBody } } },
    async (request) => fileService.listFiles(deps, request.principal!.clientId, request.query),
  );

  app.get<{ Params: { id: string } }>('/v1/files/:id', { onRequest, schema: { response: { 200: FileObject, default: ErrorBody } } }, async (request) =>
    fileService.getFile(deps, request.principal!.clientId, request.params.id),
  );
  app.delete<{ Params: { id: string } }>('/v1/files/:id', { onRequest }, async (request, reply) => {
    await fileService.deleteFile(deps, request.principal!.clientId, request.params.id);
    reply.code(204).send();
  });
  refuseOtherMethods(app, '/v1/files/:id', ['GET', 'DELETE']);

  app.post<{ Params: { id: string } }>(
    '/v1/files/:id/complete',
    { onRequest, schema: { response: { 200: FileObject, default: ErrorBody } } },
    async (request) => fileService.completeFile(deps, request.principal!.clientId, request.params.id),
  );
  refuseOtherMethods(app, '/v1/files/:id/complete', ['POST']);

  app.register(async (scope) => {
    // The upload body is streamed as it comes, whatever its type; the signature is the authorisation.
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.put<{ Params: { id: string }; Querystring: { expires?: string; signature?: string } }>('/v1/uploads/:id', async (request, reply) => {
      const { expires = '', signature = '' } = request.query;
      const check = checkUpload(api.secret, request.params.id, String(expires), String(signature), api.clock.now());
      if (check === 'invalid') throw apiError('UPLOAD_URL_INVALID');
      if (check === 'expired') throw apiError('UPLOAD_URL_EXPIRED');
      const length = request.headers['content-length'];
      const source = (request.body as Readable | undefined) ?? request.raw;
      await fileService.receiveUpload(deps, request.params.id, source, length === undefined ? null : Number(length));
      reply.code(200).send();
    });
  });
  refuseOtherMethods(app, '/v1/uploads/:id', ['PUT']);
}
