import { Type, type Static } from '@sinclair/typebox';
import { GenerationListQuery } from './extension-schemas.js';

const Usd = Type.String({ pattern: '^\\d+\\.\\d{4}$', description: 'US dollars, four decimals' });
const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time' });

/** Extension: GET /v1/generations/{id}/details. */
export const GenerationDetails = Type.Object({
  id: Type.String({ format: 'uuid' }),
  request: Type.Object({}, { additionalProperties: true, description: 'The request as normalized and stored: defaults applied, inline data dropped' }),
  inputs: Type.Array(
    Type.Object({
      role: Type.String({ description: 'source, image_ref, start_frame, end_frame, keyframe or edit_keyframe' }),
      index: Type.Integer(),
      path: Type.String({ description: 'Where the input sat in the request, e.g. image_ref[1]' }),
      origin: Type.String({ description: 'data, url, generation or file' }),
      type: Type.String({ description: 'image or video' }),
      url: Type.String({ format: 'uri', description: 'Signed URL of the bytes as ingested, valid 1 hour' }),
    }),
  ),
  price_usd: Usd,
  charged: Type.Boolean({ description: 'false once a failure refunded the price' }),
  created_at: Instant,
  updated_at: Instant,
  finished_at: NullableInstant,
  edit_of: Type.Array(Type.String({ format: 'uuid' }), { description: 'Generations this one builds on (by generation_id refs)' }),
  edits: Type.Array(
    Type.Object({ id: Type.String({ format: 'uuid' }), type: Type.String(), state: Type.String(), created_at: Instant }),
    { description: 'Later generations that build on this one (at most 50)' },
  ),
});

/** Extension: GET /v1/account. */
export const Account = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  status: Type.String({ description: 'active, suspended or deactivated' }),
  balance_usd: Type.Unsafe<string | null>({ type: ['string', 'null'], description: 'null = unlimited' }),
  rpm_limit: Type.Unsafe<number | null>({ type: ['integer', 'null'], description: 'null = the server default; 0 = unlimited' }),
  max_concurrent: Type.Unsafe<number | null>({ type: ['integer', 'null'], description: 'null = the server default; 0 = unlimited' }),
  budgets: Type.Array(
    Type.Object({
      user_id: Type.String(),
      period: Type.String({ description: 'day or month (UTC)' }),
      limit_usd: Usd,
      spent_usd: Usd,
      period_start: Instant,
    }),
  ),
});

/** GET /admin/v1/generations: the client list's filters, across clients or for one. */
export const AdminGenerationListQuery = Type.Composite([
  GenerationListQuery,
  Type.Object({ client_id: Type.Optional(Type.String({ format: 'uuid', description: 'Only this client' })) }),
]);
export type AdminGenerationListQuery = Static<typeof AdminGenerationListQuery>;
