import { Type, type Static } from '@sinclair/typebox';
import { GENERATION_TYPES, Generation, MODELS, STATES } from './schemas.js';

const literals = <T extends readonly string[]>(values: T, options: object = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const DEFAULT_GENERATION_PAGE = 25;

/** Extension: GET /v1/generations. */
export const GenerationListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_GENERATION_PAGE })),
  state: Type.Optional(literals(STATES)),
  type: Type.Optional(literals(GENERATION_TYPES)),
  model: Type.Optional(literals(MODELS)),
  user_id: Type.Optional(Type.String({ maxLength: 256 })),
  created_after: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after this instant' })),
  created_before: Type.Optional(Type.String({ format: 'date-time', description: 'Created before this instant' })),
});
export type GenerationListQuery = Static<typeof GenerationListQuery>;

export const GenerationList = Type.Object({
  data: Type.Array(Generation),
  has_more: Type.Boolean(),
  next_cursor: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
});
