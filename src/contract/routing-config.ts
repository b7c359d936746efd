import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { GENERATION_TYPES } from './schemas.js';

/**
 * The routing file (`--config atelier.yaml`, ATELIER_CONFIG): which engines exist and which
 * engines serve each model. Validated at start; an error names the path and the problem.
 * docs/engines.md describes every field.
 */

/** A secret is never written in the file: it names an environment variable read at start. */
export const Secret = Type.Object(
  { env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Name of the environment variable holding the secret' }) },
  { additionalProperties: false, description: '{ env: NAME }: the value is read from the environment at start' },
);
export type Secret = Static<typeof Secret>;

export const BreakerSettings = Type.Object(
  {
    failures: Type.Optional(Type.Integer({ minimum: 1, description: 'Consecutive retryable failures that open the breaker (default 5)' })),
    cooldown_ms: Type.Optional(Type.Integer({ minimum: 0, description: 'How long an open breaker skips the engine (default 30000)' })),
  },
  { additionalProperties: false },
);

// Literals, not an enum: the loader validates with TypeBox's own checker, which has no Unsafe kind.
const GenerationTypeName = Type.Union(GENERATION_TYPES.map((type) => Type.Literal(type)));

/** Fields every engine entry may have, whatever its type. */
export const ENGINE_COMMON_FIELDS = {
  type: Type.String({ description: 'Engine type: preview, layering, luma, openai-images, comfyui, cog' }),
  base_url: Type.Optional(Type.String({ pattern: '^https?://', description: 'Where the backend listens' })),
  api_key: Type.Optional(Secret),
  headers: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Secret]), { description: 'Extra request headers; secret values by { env: NAME }' })),
  serves: Type.Optional(Type.Array(GenerationTypeName, { minItems: 1, description: 'Narrows the generation types this entry serves' })),
  in_flight: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Upstream jobs in flight per worker process (default 100)' })),
  request_timeout_ms: Type.Optional(Type.Integer({ minimum: 100, description: 'One HTTP call (default 30000)' })),
  job_timeout_ms: Type.Optional(Type.Integer({ minimum: 1000, description: 'Submit to done, then the upstream job is cancelled (default 900000)' })),
  poll_interval_ms: Type.Optional(Type.Integer({ minimum: 10, description: 'Between status reads of a polled backend (default 2000)' })),
  rate_limit_give_up_ms: Type.Optional(
    Type.Integer({ minimum: 0, description: 'How long upstream 429s are waited out (honouring Retry-After) before failing as rate_limited (default 120000)' }),
  ),
  max_output_bytes: Type.Optional(Type.Integer({ minimum: 1024, description: 'Largest output file accepted (default 500 MB)' })),
  breaker: Type.Optional(BreakerSettings),
} satisfies TProperties;

const CommonEntry = Type.Object(ENGINE_COMMON_FIELDS);
export type EngineEntry = Static<typeof CommonEntry>;

/** A chain: engine names tried in order. */
export const EngineChain = Type.Array(Type.String({ minLength: 1 }), { minItems: 1 });

/** A map from generation type to `value`, every key optional, nothing else allowed. */
const byType = <T extends TSchema>(value: T, description: string) =>
  Type.Partial(Type.Object(Object.fromEntries(GENERATION_TYPES.map((type) => [type, value])) as Record<(typeof GENERATION_TYPES)[number], T>), {
    additionalProperties: false,
    description,
  });

export const PriceSetting = Type.Union([Type.Number({ minimum: 0 }), byType(Type.Number({ minimum: 0 }), 'USD per generation, by type')], {
  description: 'a number of USD per generation, or a map of generation type to USD',
});

export const ModelRoute = Type.Object(
  {
    engines: Type.Optional(EngineChain),
    by_type: Type.Optional(byType(EngineChain, 'Chains for single types, tried instead of `engines`')),
    serves: Type.Optional(Type.Array(GenerationTypeName, { minItems: 1, description: "Types this model accepts; default: the spec's for Luma models, required for others" })),
    price_usd: Type.Optional(PriceSetting),
  },
  { additionalProperties: false },
);
export type ModelRoute = Static<typeof ModelRoute>;

export const RoutingFile = Type.Object(
  {
    engines: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }), Type.Object({ type: Type.String() }))),
    models: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }), ModelRoute)),
  },
  { additionalProperties: false },
);
export type RoutingFile = Static<typeof RoutingFile>;
