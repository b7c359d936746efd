import type { TObject } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { apiError, fieldPath, fieldSchemaError, type SchemaIssue } from '../contract/index.js';

/**
 * Route options that check a query string against `schema`. Query values arrive as text, so an
 * integer parameter written in digits is read as its number first; one that still fails is told
 * its range.
 */
export function queryRules(schema: TObject) {
  const integers = Object.keys(schema.properties).filter((name) => schema.properties[name].type === 'integer');
  return {
    preValidation: async (request: FastifyRequest) => {
      const query = request.query as Record<string, unknown>;
      for (const name of integers) {
        const value = query[name];
        if (typeof value === 'string' && /^\d{1,15}$/.test(value)) query[name] = Number(value);
      }
    },
    config: {
      schemaError: (issues: SchemaIssue[]) => {
        const path = fieldPath(issues[0].instancePath);
        const { type, minimum, maximum } = schema.properties[path] ?? {};
        if (type !== 'integer') return fieldSchemaError(issues);
        return apiError('FIELD_INVALID', { path, reason: `must be an integer from ${minimum} to ${maximum}` });
      },
    },
  };
}
