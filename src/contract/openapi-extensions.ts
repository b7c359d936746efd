import type { TObject } from '@sinclair/typebox';
import { GenerationListQuery } from './extension-schemas.js';

/** What openapi.ts lends: its reference, error and header helpers. */
export interface OpenApiParts {
  ref(name: string): object;
  errorResponse(description: string): object;
  headers: object;
}

const EXTENSION = 'Extension beyond the Luma API (docs/extensions.md); absent with --strict.';

const queryParameters = (schema: TObject) =>
  Object.entries(schema.properties).map(([name, property]) => ({ name, in: 'query', schema: JSON.parse(JSON.stringify(property)) }));

const generationId = { name: 'generation_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

/** The extension endpoints, each tagged `x-atelier-extension`. */
export function extensionPaths({ ref, errorResponse, headers }: OpenApiParts) {
  const json = (schema: object, description: string) => ({ description, headers, content: { 'application/json': { schema } } });
  return {
    list: {
      get: {
        operationId: 'listGenerations',
        summary: 'List generations, newest first',
        description: EXTENSION,
        'x-atelier-extension': true,
        parameters: queryParameters(GenerationListQuery),
        responses: {
          '200': json(ref('GenerationList'), 'A page of generations'),
          '400': errorResponse('Invalid query'),
          '401': errorResponse('Missing or invalid API key'),
        },
      },
    },
    paths: {
      '/v1/generations/{generation_id}/cancel': {
        post: {
          operationId: 'cancelGeneration',
          summary: 'Cancel a generation',
          description: `${EXTENSION} A queued generation never runs; a running one is stopped. Either ends failed (failure_code generation_failed) with cancelled_at set, and its hold is refunded.`,
          'x-atelier-extension': true,
          parameters: [generationId],
          responses: {
            '200': json(ref('Generation'), 'The cancelled generation'),
            '401': errorResponse('Missing or invalid API key'),
            '404': errorResponse('Generation not found'),
            '409': errorResponse('Already completed or failed'),
          },
        },
      },
    },
  };
}
