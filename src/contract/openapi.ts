import { API_VERSION } from './version.js';
import { ErrorBody, Generation, GenerationCreate, GenerationOutput, ImageRef } from './schemas.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const COMPONENTS = { ImageRef, GenerationCreateParams: GenerationCreate, GenerationOutput, Generation, Error: ErrorBody };

/** Plain JSON Schema, with every nested copy of a component replaced by a reference to it. */
function component(name: string, schema: object): object {
  const known = new Map(Object.entries(COMPONENTS).map(([n, s]) => [JSON.stringify(s), n]));
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

/** OpenAPI 3.1, generated from the same TypeBox schemas that validate requests. */
export function openApiDocument(): object {
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
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A key starting with luma-api-' } },
      schemas: Object.fromEntries(Object.entries(COMPONENTS).map(([name, schema]) => [name, component(name, schema)])),
    },
    paths: {
      '/v1/generations': {
        post: {
          operationId: 'createGeneration',
          summary: 'Create a generation',
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
    },
  };
}
