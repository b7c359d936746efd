import type { TObject } from '@sinclair/typebox';
import { API_VERSION } from './version.js';
import { dashboardPaths } from './openapi-dashboard.js';
import { CreateFileResponse, FileCreate, FileList, FileListQuery, FileObject, FileUpload } from './file-schemas.js';
import { ErrorBody, Generation, GenerationCreate, GenerationOutput, generationSchemasFor, ImageRef, ModelList, MODELS } from './schemas.js';
import { GenerationList, WebhookDelivery, WebhookDeliveryList, WebhookEndpoint, WebhookEndpointCreate, WebhookEndpointList, WebhookEndpointUpdate, WebhookSecret, WebhookSecretRotate } from './extension-schemas.js';
import { extensionPaths, idempotencyKeyHeader } from './openapi-extensions.js';
import { operationPaths } from './openapi-operations.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const COMPONENTS: Record<string, object> = {
  ImageRef,
  GenerationCreateParams: GenerationCreate,
  GenerationOutput,
  Generation,
  Error: ErrorBody,
  File: FileObject,
  FileCreateParams: FileCreate,
  FileUpload,
  CreateFileResponse,
  FileList,
  GenerationList,
  WebhookEndpoint,
  WebhookEndpointCreateParams: WebhookEndpointCreate,
  WebhookEndpointUpdateParams: WebhookEndpointUpdate,
  WebhookEndpointList,
  WebhookSecret,
  WebhookSecretRotateParams: WebhookSecretRotate,
  WebhookDelivery,
  WebhookDeliveryList,
};

/** Plain JSON Schema, with every nested copy of a component replaced by a reference to it. */
function component(name: string, schema: object, components: Record<string, object>): object {
  const known = new Map(Object.entries(components).map(([n, s]) => [JSON.stringify(s), n]));
  return JSON.parse(JSON.stringify(schema), function (key, value) {
    if (key === '' || !value || typeof value !== 'object') return value;
    const match = known.get(JSON.stringify(value));
    return match && match !== name ? ref(match) : value;
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});

const commonHeaders = {
  'X-Request-Id': { description: "The caller's X-Request-Id, or a server UUID", schema: { type: 'string' } },
  'X-API-Version': { description: 'API version', schema: { type: 'string', const: API_VERSION } },
};

/**
 * OpenAPI 3.1, generated from the same TypeBox schemas that validate requests. `models`: the
 * models this server serves (a routing file may add and, in gateway mode, remove some).
 * `extensions`: include the endpoints beyond the Luma API (off under --strict).
 */
export function openApiDocument(options: { models?: readonly string[]; extensions?: boolean } = {}): object {
  const served = generationSchemasFor(options.models ?? MODELS);
  const components: Record<string, object> = { ...COMPONENTS, GenerationCreateParams: served.GenerationCreate, Generation: served.Generation, ModelList };
  if (options.extensions === false) delete components.ModelList;
  const extensions = extensionPaths({ ref, errorResponse, headers: commonHeaders });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Atelier — Luma Agents API compatible server',
      version: API_VERSION,
      description: 'Asynchronous image and video generation: POST /v1/generations, then poll GET /v1/generations/{id}.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A key starting with luma-api-' },
        admin: { type: 'http', scheme: 'bearer', description: "The server's ATELIER_ADMIN_TOKEN" },
      },
      schemas: Object.fromEntries(Object.entries(components).map(([name, schema]) => [name, component(name, schema, components)])),
    },
    paths: {
      '/v1/generations': {
        ...extensions.list,
        post: {
          operationId: 'createGeneration',
          summary: 'Create a generation',
          parameters: extensions.createHeaders,
          requestBody: { required: true, content: { 'application/json': { schema: ref('GenerationCreateParams') } } },
          responses: {
            '201': {
              description: 'Accepted; poll GET /v1/generations/{id}',
              headers: {
                ...commonHeaders,
                'X-RateLimit-Limit': { schema: { type: 'integer' } },
                'X-RateLimit-Remaining': { schema: { type: 'integer' } },
                'X-RateLimit-Reset': { schema: { type: 'integer' } },
              },
              content: { 'application/json': { schema: ref('Generation') } },
            },
            '400': errorResponse('Invalid parameters'),
            '401': errorResponse('Missing or invalid API key'),
            '402': errorResponse('Insufficient credits'),
            '403': errorResponse('Client suspended or deactivated'),
            '413': errorResponse('Input over the size limit'),
            '422': errorResponse('Parameter combination rejected, or bad media'),
            '429': errorResponse('RPM or concurrency limit; honour Retry-After'),
          },
        },
      },
      '/v1/generations/{generation_id}': {
        get: {
          operationId: 'getGeneration',
          summary: 'Get a generation',
          parameters: [{ name: 'generation_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            '200': { description: 'The generation', headers: commonHeaders, content: { 'application/json': { schema: ref('Generation') } } },
            '401': errorResponse('Missing or invalid API key'),
            '404': errorResponse('Generation not found'),
          },
        },
      },
      ...filePaths(),
      ...operationPaths({ ref, errorResponse, headers: commonHeaders }),
      ...dashboardPaths(),
      ...extensions.paths,
      ...(options.extensions === false ? {} : modelPaths()),
    },
  };
}

function modelPaths(): object {
  return {
    '/v1/models': {
      get: {
        operationId: 'listModels',
        summary: 'List the models a client may use (extension, not in the Luma API)',
        'x-atelier-extension': true,
        responses: {
          '200': { description: 'Every model and the types it serves', headers: commonHeaders, content: { 'application/json': { schema: ref('ModelList') } } },
          '401': errorResponse('Missing or invalid API key'),
        },
      },
    },
  };
}

/** One query parameter per property of the schema that validates the query string. */
const queryParameters = (schema: TObject) =>
  Object.entries(schema.properties).map(([name, property]) => ({ name, in: 'query', schema: JSON.parse(JSON.stringify(property)) }));

const fileId = { name: 'file_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const fileResponse = (description: string) => ({ description, headers: commonHeaders, content: { 'application/json': { schema: ref('File') } } });

/** Spec §6, and the upload target that JSON mode hands out. */
function filePaths(): object {
  return {
    '/v1/files': {
      post: {
        parameters: [idempotencyKeyHeader],
        operationId: 'createFile',
        summary: 'Create a file: bytes inline (multipart) or a presigned upload (JSON)',
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: ref('FileCreateParams') },
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['file'],
                properties: {
                  file: { type: 'string', format: 'binary' },
                  purpose: { type: 'string', enum: ['input', 'reference'] },
                  user_id: { type: 'string' },
                  expires_at: { type: 'string', format: 'date-time' },
                  filename: { type: 'string' },
                  mime_type: { type: 'string' },
                },
              },
            },
          },
        },
        responses: {
          '201': { description: 'Created, pending ingest', headers: commonHeaders, content: { 'application/json': { schema: ref('CreateFileResponse') } } },
          '400': errorResponse('Invalid fields'),
          '401': errorResponse('Missing or invalid API key'),
          '413': errorResponse('Over the size limit'),
          '422': errorResponse('Unsupported media type'),
        },
      },
      get: {
        operationId: 'listFiles',
        summary: 'List files, newest first',
        parameters: queryParameters(FileListQuery),
        responses: {
          '200': { description: 'A page of files', headers: commonHeaders, content: { 'application/json': { schema: ref('FileList') } } },
          '400': errorResponse('Invalid query'),
          '401': errorResponse('Missing or invalid API key'),
        },
      },
    },
    '/v1/files/{file_id}': {
      get: {
        operationId: 'getFile',
        summary: 'Get a file',
        parameters: [fileId],
        responses: { '200': fileResponse('The file'), '401': errorResponse('Missing or invalid API key'), '404': errorResponse('File not found') },
      },
      delete: {
        operationId: 'deleteFile',
        summary: 'Soft-delete a file',
        parameters: [fileId],
        responses: { '204': { description: 'Deleted', headers: commonHeaders }, '401': errorResponse('Missing or invalid API key'), '404': errorResponse('File not found') },
      },
    },
    '/v1/files/{file_id}/complete': {
      post: {
        operationId: 'completeFile',
        summary: 'Finish a presigned upload and start ingest',
        parameters: [fileId],
        responses: {
          '200': fileResponse('The file, pending until ingest ends'),
          '401': errorResponse('Missing or invalid API key'),
          '404': errorResponse('File not found'),
          '422': errorResponse('No bytes uploaded yet, or the file is deleted'),
        },
      },
    },
    '/v1/uploads/{file_id}': {
      put: {
        operationId: 'uploadFileBytes',
        summary: 'The presigned upload target (signed URL; no API key)',
        security: [],
        parameters: [
          fileId,
          { name: 'expires', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'signature', in: 'query', required: true, schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
        responses: {
          '200': { description: 'Stored' },
          '403': errorResponse('Signature invalid or expired'),
          '409': errorResponse('Upload already completed'),
          '422': errorResponse('Size differs from size_bytes'),
        },
      },
    },
  };
}
