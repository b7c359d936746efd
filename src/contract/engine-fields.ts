import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { ASPECT_RATIOS } from './schemas.js';

/**
 * Each engine type's own fields in a routing-file entry, on top of ENGINE_COMMON_FIELDS
 * (routing-config.ts). One export per type; the type's factory names it.
 */

export const LUMA_FIELDS = {
  model_map: Type.Optional(
    Type.Record(Type.String(), Type.String(), { description: 'Our model name → the upstream model name (default: the same name)' }),
  ),
} satisfies TProperties;

/** One of a few strings (literals, so the routing file's validator can name the problem). */
const oneOf = <K extends string>(values: readonly K[], description: string) => Type.Union(values.map((v) => Type.Literal(v)), { description });

/** A map keyed by some of a fixed set of names, each optional, no other key allowed. */
const partialMap = <K extends string, V extends TSchema>(keys: readonly K[], value: V, description: string) =>
  Type.Partial(Type.Record(Type.Union(keys.map((k) => Type.Literal(k))), value), { additionalProperties: false, description });

const SizeMap = partialMap(ASPECT_RATIOS, Type.String({ pattern: '^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$' }), 'WIDTHxHEIGHT per aspect ratio, overriding the computed size');

export const OPENAI_IMAGES_FIELDS = {
  model: Type.String({ minLength: 1, description: "The backend's model name: gpt-image-1, dall-e-3, a LocalAI or vLLM model …" }),
  family: Type.Optional(
    oneOf(['gpt-image', 'dall-e-3', 'dall-e-2', 'free'] as const, 'Which sizes the model takes (default: from the model name; free for unknown names)'),
  ),
  sizes: Type.Optional(SizeMap),
  response_format: Type.Optional(oneOf(['b64_json', 'url'] as const, 'Asked of models that take it (default b64_json)')),
  api_version: Type.Optional(Type.String({ minLength: 1, description: 'Azure-style servers: sent as ?api-version= on every call' })),
  extra_body: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Extra fields sent in every request body (quality, style …)' })),
} satisfies TProperties;


/** What fills the `{{placeholders}}` of a ComfyUI workflow or a Cog input mapping. */
const TEMPLATE_FIELDS = {
  negative_prompt: Type.Optional(Type.String({ description: 'Fills {{negative_prompt}} (default empty)' })),
  megapixels: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 16, description: 'Image size for {{width}} and {{height}} (default 1)' })),
  sizes: Type.Optional(SizeMap),
  edit_strength: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: '{{strength}} of an image_edit (default 0.6)' })),
  fps: Type.Optional(Type.Integer({ minimum: 1, maximum: 120, description: '{{fps}}, and {{frames}} = seconds × fps (default 24)' })),
} satisfies TProperties;

export const COMFYUI_FIELDS = {
  workflows: partialMap(
    ['image', 'image_edit', 'video', 'video_edit', 'video_reframe'] as const,
    Type.String({ minLength: 1 }),
    'Per generation type, a workflow file in API format with {{placeholders}}; relative to the config file',
  ),
  ...TEMPLATE_FIELDS,
} satisfies TProperties;

export const COG_FIELDS = {
  input: Type.Record(Type.String({ minLength: 1 }), Type.Unknown(), {
    description: "The prediction's input: each value a literal, or a string with {{placeholders}}; a key whose placeholder has no value is left out",
  }),
  delivery: Type.Optional(oneOf(['hold', 'webhook'] as const, 'hold: the request is held until the prediction ends (default); webhook: Cog posts the result back')),
  webhook_base_url: Type.Optional(Type.String({ pattern: '^https?://', description: 'Where Cog reaches Atelier for webhooks (default: --public-url)' })),
  ...TEMPLATE_FIELDS,
} satisfies TProperties;
