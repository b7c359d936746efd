import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { apiError, CreateFileResponse, ErrorBody, fieldSchemaError, FileCreate, FileList, FileListQuery, FileObject } from '../../contract/index.js';
import { checkUpload, fileService, type FileDeps, type FileFields } from '../../files/index.js';
import { refuseOtherMethods } from '../app.js';
import { handleError } from '../error-handler.js';
import { multipartError } from '../multipart-error.js';
import { queryRules } from '../query.js';
import { authenticate, baseUrl, type ApiDeps } from '../context.js';

const FIELDS = new Set(['purpose', 'user_id', 'expires_at', 'filename', 'mime_type']);

/** Multipart mode: the part named `file` is streamed to disk; the other parts are the fields. */
async function multipartUpload(request: FastifyRequest, deps: FileDeps) {
  const fields: Record<string, string> = {};
  let received: { id: string; size: number; mimeType: string; filename: string | null } | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (FIELDS.has(part.fieldname)) fields[part.fieldname] = String(part.value);
      } else if (part.fieldname !== 'file' || received) {
        part.file.resume();
      } else {
        const bytes = await fileService.receiveInlineBytes(deps, fields.mime_type ?? part.mimetype ?? null, part.file);
        received = { ...bytes, filename: part.filename || null };
      }
    }
  } catch (err) {
    if (received) await deps.blobs.deletePrefix(`files/${received.id}`);
    throw multipartError(err);
  }
  if (!received) throw apiError('FILE_PART_MISSING');
  const { mime_type: _ignored, ...rest } = fields;
  return fileService.createInlineFile(deps, request.principal!.clientId, received, rest as FileFields);
}

/** Files API (spec §6), plus the presigned upload target its JSON mode hands out. */
export function fileRoutes(app: FastifyInstance, api: ApiDeps, deps: FileDeps): void {
  const onRequest = authenticate(api);

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
        schema: { body: { content: { 'application/json': { schema: FileCreate } } }, response: { 201: CreateFileResponse, default: ErrorBody } },
        config: { schemaError: fieldSchemaError },
      },
      async (request, reply) => {
        const created = request.isMultipart()
          ? await multipartUpload(request, deps)
          : await fileService.createPresignedFile(deps, request.principal!.clientId, request.body, baseUrl(api.config, request));
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
