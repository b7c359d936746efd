import { Account, GenerationDetails } from './dashboard-schemas.js';

const json = (schema: object) => ({ 'application/json': { schema: JSON.parse(JSON.stringify(schema)) } });
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

const EXTENSION = 'Extension beyond the Luma API, read by the dashboard (docs/dashboard.md); absent with --strict.';

/** The extension endpoints the dashboard reads (not in the Luma spec). */
export function dashboardPaths(): object {
  return {
    '/v1/generations/{generation_id}/details': {
      get: {
        operationId: 'getGenerationDetails',
        summary: 'The request, inputs, price, timings and chain of edits of a generation',
        description: EXTENSION,
        'x-atelier-extension': true,
        parameters: [{ name: 'generation_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          '200': { description: 'The details', content: json(GenerationDetails) },
          '401': error('Missing or invalid API key'),
          '404': error('Generation not found'),
        },
      },
    },
    '/v1/thumbnails/{key}': {
      get: {
        operationId: 'getThumbnail',
        summary: "A small WebP of an output (a video's first frame), from the signed URL in a generation list's `thumbnails`; no API key",
        description: `${EXTENSION} Made on first request and kept in the blob store beside the output.`,
        'x-atelier-extension': true,
        security: [],
        parameters: [
          { name: 'key', in: 'path', required: true, description: 'The output\'s blob key, slashes included', schema: { type: 'string' } },
          { name: 'expires', in: 'query', required: true, description: 'Unix seconds', schema: { type: 'string' } },
          { name: 'signature', in: 'query', required: true, description: 'HMAC-SHA256', schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'The thumbnail', content: { 'image/webp': { schema: { type: 'string', format: 'binary' } } } },
          '403': error('Signed URL has expired, or its signature is invalid'),
          '404': error('Output not found, or no thumbnail can be made of it'),
        },
      },
    },
    '/v1/account': {
      get: {
        operationId: 'getAccount',
        summary: "The caller's balance, limits and per-user budgets with this period's spend",
        description: EXTENSION,
        'x-atelier-extension': true,
        responses: { '200': { description: 'The account', content: json(Account) }, '401': error('Missing or invalid API key') },
      },
    },
  };
}
