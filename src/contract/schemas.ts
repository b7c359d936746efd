import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const MODELS = ['uni-1', 'uni-1-max', 'ray-3.2'] as const;
export const GENERATION_TYPES = ['image', 'image_edit', 'video', 'video_edit', 'video_reframe', 'layering'] as const;
export const ASPECT_RATIOS = ['3:1', '2:1', '21:9', '16:9', '4:3', '3:2', '1:1', '3:4', '2:3', '9:16', '1:2', '1:3'] as const;
export const STYLES = ['auto', 'manga'] as const;
export const OUTPUT_FORMATS = ['png', 'jpeg'] as const;
export const STATES = ['queued', 'processing', 'completed', 'failed'] as const;
/** Extension: what webhooks and live events carry. */
export const WEBHOOK_EVENTS = ['generation.processing', 'generation.completed', 'generation.failed', 'file.ready', 'file.failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const FAILURE_CODES = [
  'content_moderated',
  'generation_failed',
  'budget_exhausted',
  'output_not_found',
  'image_too_large',
  'unsupported_format',
  'corrupt_input',
  'invalid_request',
  'rate_limited',
] as const;

const literals = <T extends readonly string[]>(values: T, options: object = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** The model enum: the spec's, or those a routing file serves (`generationSchemasFor`). */
export const modelSchema = (models: readonly string[] = MODELS) => literals(models as readonly Model[], { description: 'Model identifier' });
export const Model = modelSchema();
export const GenerationType = literals(GENERATION_TYPES, { description: 'The kind of generation to perform' });
export const FailureCode = literals(FAILURE_CODES, { description: 'Machine-readable failure code' });

export const ImageRef = Type.Object(
  {
    url: Type.Optional(Nullable(Type.String({ description: 'Publicly accessible image URL' }))),
    data: Type.Optional(Nullable(Type.String({ description: 'Base64-encoded image data' }))),
    media_type: Type.Optional(Nullable(Type.String({ description: 'MIME type (e.g. image/jpeg). Required with data.' }))),
    generation_id: Type.Optional(Nullable(Type.String({ format: 'uuid', description: 'A prior generation of the same client' }))),
    file_id: Type.Optional(Nullable(Type.String({ format: 'uuid', description: 'A ready file of the same client' }))),
  },
  { description: 'Exactly one of url, data, generation_id or file_id' },
);

export const VIDEO_RESOLUTIONS = ['360p', '540p', '720p', '1080p'] as const;
export const VIDEO_DURATIONS = ['5s', '10s'] as const;
export const EDIT_STRENGTHS = ['adhere_1', 'adhere_2', 'adhere_3', 'flex_1', 'flex_2', 'flex_3', 'reimagine_1', 'reimagine_2', 'reimagine_3'] as const;

const unit = (description: string) => Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1, description })));
const toggle = Type.Optional(Nullable(Type.Boolean()));

/** Spec §3.4: per-signal manual conditioning. */
export const AdvancedControls = Type.Object({
  depth: Type.Optional(Nullable(Type.Object({ enabled: toggle, blur: unit('Higher = more geometric freedom') }))),
  face: Type.Optional(Nullable(Type.Object({ enabled: toggle }))),
  normals: Type.Optional(Nullable(Type.Object({ enabled: toggle, augmentation: unit('Higher = more reinterpretation of surfaces') }))),
  pose: Type.Optional(Nullable(Type.Object({ enabled: toggle, strength: Type.Optional(Nullable(literals(['precise', 'coarse'] as const))) }))),
  trajectory: Type.Optional(Nullable(Type.Object({ enabled: toggle, sparsity: unit('Higher = fewer motion anchors') }))),
});

export const VideoEditOptions = Type.Object({
  auto_controls: toggle,
  strength: Type.Optional(Nullable(literals(EDIT_STRENGTHS))),
  controls: Type.Optional(Nullable(AdvancedControls)),
  keyframes: Type.Optional(Nullable(Type.Array(ImageRef, { minItems: 1, maxItems: 64 }))),
  keyframe_indexes: Type.Optional(Nullable(Type.Array(Type.Integer()))),
});

export const SourcePosition = Type.Object(
  { x_norm: Type.Number(), y_norm: Type.Number(), w_norm: Type.Number(), h_norm: Type.Number() },
  { description: 'Fractions of the output canvas; x/y in -2..2, w/h in (0, 2]' },
);

/** Spec §3.3: ray-3.2 options. */
export const VideoOptions = Type.Object({
  resolution: Type.Optional(Nullable(literals(VIDEO_RESOLUTIONS))),
  duration: Type.Optional(Nullable(literals(VIDEO_DURATIONS))),
  loop: toggle,
  hdr: toggle,
  exr_export: toggle,
  start_frame: Type.Optional(Nullable(ImageRef)),
  end_frame: Type.Optional(Nullable(ImageRef)),
  keyframes: Type.Optional(Nullable(Type.Array(ImageRef, { minItems: 1, maxItems: 64 }))),
  keyframe_indexes: Type.Optional(Nullable(Type.Array(Type.Integer()))),
  source_position: Type.Optional(Nullable(SourcePosition)),
  edit: Type.Optional(Nullable(VideoEditOptions)),
  guide_frame: Type.Optional(Nullable(ImageRef)),
});
export type VideoOptions = Static<typeof VideoOptions>;
export type VideoEditOptions = Static<typeof VideoEditOptions>;
export type SourcePosition = Static<typeof SourcePosition>;
export type VideoResolution = (typeof VIDEO_RESOLUTIONS)[number];
export type EditStrength = (typeof EDIT_STRENGTHS)[number];

export const LAYERING_RESOLUTIONS = ['1k', '2k'] as const;

export const LayeringOptions = Type.Object(
  { resolution: Type.Optional(Nullable(literals(LAYERING_RESOLUTIONS, { description: 'Long side of every layer: 1k = 1024 px, 2k = 2048 px' }))) },
  { additionalProperties: true, description: "Only with type 'layering'" },
);

export const GenerationCreate = Type.Object(
  {
    // 1–6000 characters is checked per type (rules.ts): for layering the prompt is optional guidance of at most 500.
    prompt: Type.String({ maxLength: 6000, description: 'Text prompt: 1–6000 characters; for layering, optional guidance of at most 500' }),
    model: Type.Optional(Model),
    type: Type.Optional(GenerationType),
    aspect_ratio: Type.Optional(Nullable(literals(ASPECT_RATIOS))),
    image_ref: Type.Optional(Nullable(Type.Array(ImageRef, { maxItems: 9 }))),
    source: Type.Optional(Nullable(ImageRef)),
    style: Type.Optional(Nullable(literals(STYLES))),
    output_format: Type.Optional(Nullable(literals(OUTPUT_FORMATS))),
    web_search: Type.Optional(Nullable(Type.Boolean())),
    user_id: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
    video: Type.Optional(Nullable(VideoOptions)),
    layering: Type.Optional(Nullable(LayeringOptions)),
    webhook_url: Type.Optional(
      Nullable(Type.String({ maxLength: 2048, description: 'Extension (off with --strict): where to POST signed events of this generation' })),
    ),
    webhook_events_filter: Type.Optional(
      Nullable(
        Type.Array(literals(WEBHOOK_EVENTS), {
          maxItems: WEBHOOK_EVENTS.length,
          description: 'Extension: which events go to webhook_url; default all generation events',
        }),
      ),
    ),
  },

);
export type GenerationCreate = Static<typeof GenerationCreate>;
export type ImageRef = Static<typeof ImageRef>;

export const LayerBounds = Type.Object(
  {
    x: Type.Integer({ minimum: 0 }),
    y: Type.Integer({ minimum: 0 }),
    width: Type.Integer({ minimum: 0 }),
    height: Type.Integer({ minimum: 0 }),
  },
  { description: "The layer's visible pixels, in pixels of the layer image" },
);

export const Layer = Type.Object(
  {
    index: Type.Integer({ minimum: 0, description: 'Front to back; the last layer is the background' }),
    label: Type.String({ description: 'One or two words' }),
    description: Type.String(),
    alpha_hint: literals(['soft', 'hard', 'none'] as const),
    bounds: LayerBounds,
  },
  { description: "Only on outputs of type 'layering'" },
);
export type Layer = Static<typeof Layer>;

export const GenerationOutput = Type.Object(
  {
    type: Type.String({ description: 'Media kind: image or video' }),
    url: Type.String({ format: 'uri', description: 'Signed URL, valid 1 hour' }),
    layer: Type.Optional(Layer),
  },

);

export const QUEUE_REASONS = ['worker', 'scheduled', 'backend'] as const;

export const QueueInfo = Type.Object(
  {
    position: Type.Integer({ minimum: 1, description: '1 = next to run' }),
    reason: literals(QUEUE_REASONS, {
      description:
        'worker: waiting for a free worker (position counts the unclaimed jobs of its line due before it: local work, or the same remote engine); scheduled: not due yet (emulated latency, or a retry backing off); backend: its remote engine already has in_flight jobs running in every worker process',
    }),
  },
  { description: 'Extension (off with --strict): only on queued generations' },
);

export const Progress = Type.Object(
  {
    fraction: Type.Number({ minimum: 0, maximum: 1 }),
    stage: Type.String({ description: 'preparing, generating, storing, or an engine stage' }),
  },
  { description: 'Extension (off with --strict): only on processing generations' },
);

export const Generation = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    type: GenerationType,
    state: literals(STATES),
    model: Model,
    created_at: Type.String(),
    output: Type.Array(GenerationOutput),
    // Type arrays rather than anyOf: fast-json-stringify serialises them without trial validation.
    failure_reason: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
    failure_code: Type.Unsafe<FailureCode | null>({ type: ['string', 'null'], enum: [...FAILURE_CODES, null] }),
    queue: Type.Optional(QueueInfo),
    progress: Type.Optional(Progress),
    cancelled_at: Type.Optional(Type.String({ description: 'Extension (off with --strict): set on a generation the client cancelled; it is failed' })),
  },

);
export type Generation = Static<typeof Generation>;

export const ErrorBody = Type.Object({ detail: Type.String() });

/** The submit body and the Generation with the models this server serves in their `model` enum. */
export function generationSchemasFor(models: readonly string[]): { GenerationCreate: typeof GenerationCreate; Generation: typeof Generation } {
  // An empty enum is no schema; with no model served, normalizeGeneration answers Unknown model.
  const same = models.length === MODELS.length && models.every((model, i) => model === MODELS[i]);
  if (same || models.length === 0) return { GenerationCreate, Generation };
  const model = modelSchema(models);
  return {
    GenerationCreate: Type.Object({ ...GenerationCreate.properties, model: Type.Optional(model) }) as typeof GenerationCreate,
    Generation: Type.Object({ ...Generation.properties, model }) as typeof Generation,
  };
}

/** `GET /v1/models` (an extension): the models a client may use and the types each serves. */
export const ModelList = Type.Object(
  {
    data: Type.Array(
      Type.Object({
        id: Type.String({ description: 'Model identifier, as sent in `model`' }),
        types: Type.Array(GenerationType, { description: 'The generation types this model serves here' }),
      }),
    ),
  },
  { description: 'Extension: not part of the Luma API' },
);

export type Model = (typeof MODELS)[number];
export type GenerationKind = (typeof GENERATION_TYPES)[number];
export type AspectRatio = (typeof ASPECT_RATIOS)[number];
export type FailureCode = (typeof FAILURE_CODES)[number];
export type LayeringResolution = (typeof LAYERING_RESOLUTIONS)[number];
export type GenerationState = (typeof STATES)[number];
