import { apiError } from './errors.js';
import { dropUnknownFields } from './known-fields.js';
import { GenerationCreate, MODELS, type AspectRatio, type GenerationKind, type ImageRef, type LayeringResolution, type Model } from './schemas.js';
import { checkImageRef } from './ref-rules.js';
import { byShape, normalizeVideo, videoAspectRatioError, type VideoRequest, type VideoType } from './video-rules.js';

export const MODEL_TYPES: Record<Model, readonly GenerationKind[]> = {
  'uni-1': ['image', 'image_edit', 'layering'],
  'uni-1-max': ['image', 'image_edit'],
  'ray-3.2': ['video', 'video_edit', 'video_reframe'],
};

export const VIDEO_TYPES: readonly GenerationKind[] = ['video', 'video_edit', 'video_reframe'];

export const IMAGE_ASPECT_RATIOS: readonly AspectRatio[] = ['3:1', '2:1', '16:9', '3:2', '1:1', '2:3', '9:16', '1:2', '1:3'];
/** The spec's error string lists them sorted as text; we list them by shape, widest first (docs/compatibility.md). */
const IMAGE_RATIOS_LISTED = byShape(IMAGE_ASPECT_RATIOS);
export const MANGA_ASPECT_RATIOS: readonly AspectRatio[] = ['2:3', '9:16', '1:2', '1:3'];
export const MAX_REFS = { image: 9, image_edit: 8 } as const;
/** Spec §3.1: for layering the prompt is optional guidance. */
export const LAYERING_PROMPT_MAX = 500;

/** A request after validation, with every default applied. */
export interface GenerationRequest {
  prompt: string;
  /** One of the spec's models, or a model a routing file adds. */
  model: string;
  type: GenerationKind;
  aspect_ratio: AspectRatio | null;
  style: 'auto' | 'manga';
  output_format: 'png' | 'jpeg' | null;
  web_search: boolean;
  user_id: string | null;
  source: ImageRef | null;
  image_ref: ImageRef[];
  /** ray-3.2 options; null for image types. */
  video?: VideoRequest | null;
  /** Set for type 'layering' only, with its default applied. */
  layering?: { resolution: LayeringResolution };
}

export function aspectRatioError(value: unknown, type?: unknown) {
  if (typeof type === 'string' && VIDEO_TYPES.includes(type as GenerationKind)) return videoAspectRatioError(value);
  return apiError('ASPECT_RATIO_INVALID', { value: String(value), valid: IMAGE_RATIOS_LISTED });
}

/** The types each model accepts; undefined = a model this server doesn't serve. */
export type ModelTypes = (model: string) => readonly GenerationKind[] | undefined;

export const specModelTypes: ModelTypes = (model) => (MODELS as readonly string[]).includes(model) ? MODEL_TYPES[model as Model] : undefined;

/** Applies defaults and the per-type rules of spec §3.8 to a schema-valid body. */
export function normalizeGeneration(body: GenerationCreate, typesOf: ModelTypes = specModelTypes): GenerationRequest {
  dropUnknownFields(GenerationCreate, body);
  const model: string = body.model ?? 'uni-1';
  const type = body.type ?? 'image';
  const types = typesOf(model);
  if (!types) throw apiError('MODEL_UNKNOWN', { model });
  checkPrompt(body.prompt, type);
  if (!types.includes(type)) throw apiError('TYPE_UNSUPPORTED', { type, model });
  if (VIDEO_TYPES.includes(type)) {
    const video = normalizeVideo(body, type as VideoType);
    return {
      prompt: body.prompt,
      model,
      type,
      // video_edit keeps the source's aspect; the others render at the asked ratio (video: model's choice when null).
      aspect_ratio: type === 'video_edit' ? null : (body.aspect_ratio ?? null),
      style: 'auto',
      output_format: null,
      web_search: body.web_search ?? false,
      user_id: body.user_id ?? null,
      source: body.source ?? null,
      image_ref: [],
      video,
    };
  }

  for (const field of ['video', 'layering'] as const) {
    if (body[field] != null && !(field === 'layering' && type === 'layering')) throw apiError('OPTION_NOT_ALLOWED', { field, type });
  }
  // Layering decomposes its source alone; there is nothing for references to do.
  if (type === 'layering' && (body.image_ref?.length ?? 0) > 0) throw apiError('OPTION_NOT_ALLOWED', { field: 'image_ref', type });

  const imageRef = body.image_ref ?? [];
  const source = body.source ?? null;
  if (type === 'image') {
    if (source) throw apiError('SOURCE_ONLY_EDIT');
    if (imageRef.length > MAX_REFS.image) throw apiError('IMAGE_TOO_MANY_REFS');
  } else {
    if (!source) throw apiError('SOURCE_REQUIRED', { type });
    if (imageRef.length > MAX_REFS.image_edit) throw apiError('IMAGE_EDIT_TOO_MANY_REFS');
  }

  const style = body.style ?? 'auto';
  // image_edit ignores aspect_ratio: the output keeps the source's size.
  const aspectRatio = type === 'image' ? (body.aspect_ratio ?? null) : null;
  if (aspectRatio && !IMAGE_ASPECT_RATIOS.includes(aspectRatio)) throw aspectRatioError(aspectRatio);
  if (type === 'image' && style === 'manga' && aspectRatio && !MANGA_ASPECT_RATIOS.includes(aspectRatio)) {
    throw apiError('MANGA_NEEDS_PORTRAIT', { value: aspectRatio });
  }

  if (source) checkImageRef(source, 'source');
  imageRef.forEach((ref, i) => checkImageRef(ref, `image_ref[${i}]`));

  return {
    prompt: body.prompt,
    model,
    type,
    aspect_ratio: aspectRatio,
    style,
    output_format: body.output_format ?? null,
    web_search: body.web_search ?? false,
    user_id: body.user_id ?? null,
    source,
    image_ref: imageRef,
    video: null,
    ...(type === 'layering' ? { layering: { resolution: body.layering?.resolution ?? '1k' } } : {}),
  };
}

function checkPrompt(prompt: string, type: GenerationKind): void {
  if (type === 'layering') {
    if (prompt.length > LAYERING_PROMPT_MAX) throw apiError('LAYERING_PROMPT_LENGTH');
  } else if (prompt.length < 1) {
    throw apiError('PROMPT_LENGTH');
  }
}
