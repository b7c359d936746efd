import type { GenerationCreate } from '../client/index.js';
import { IMAGE_ASPECT_RATIOS, MANGA_ASPECT_RATIOS, MODEL_TYPES, VIDEO_TYPES } from '../contract/rules.js';
import type { AspectRatio, GenerationKind, ImageRef, Model } from '../contract/schemas.js';
import { byShape, VIDEO_ASPECT_RATIOS } from '../contract/video-rules.js';
import { UsageError } from './usage-error.js';

/** `atelier generate`'s flags that shape the request body. */
export interface GenerateFlags {
  type?: GenerationKind;
  model?: Model;
  aspectRatio?: AspectRatio;
  style?: 'auto' | 'manga';
  format?: 'png' | 'jpeg';
  userId?: string;
  webSearch?: boolean;
  duration?: '5s' | '10s';
  resolution?: '360p' | '540p' | '720p' | '1080p';
  loop?: boolean;
  hdr?: boolean;
  exr?: boolean;
  layeringResolution?: '1k' | '2k';
}

const VIDEO_FLAGS = ['duration', 'resolution', 'loop', 'hdr', 'exr'] as const;
const isVideoRef = (ref: ImageRef | undefined) => Boolean(ref?.media_type?.startsWith('video/'));

/**
 * The type when `--type` isn't given: from the model (ray-3.2 makes video), the source (a video
 * source is edited as video, or reframed when an aspect ratio is asked for; an image source is
 * edited), and the video or layering flags used.
 */
export function inferType(flags: GenerateFlags, source: ImageRef | undefined, sourceIsVideo: boolean): GenerationKind {
  if (flags.type) return flags.type;
  if (flags.layeringResolution) return 'layering';
  const video = sourceIsVideo || isVideoRef(source) || flags.model === 'ray-3.2' || VIDEO_FLAGS.some((f) => flags[f] !== undefined);
  if (video) return source ? (flags.aspectRatio ? 'video_reframe' : 'video_edit') : 'video';
  return source ? 'image_edit' : 'image';
}

/** The aspect ratios a type takes, in the order a reader scans them (the server's list). */
export function aspectRatiosFor(type: GenerationKind, style: string | undefined): readonly AspectRatio[] {
  if (VIDEO_TYPES.includes(type)) return VIDEO_ASPECT_RATIOS;
  return style === 'manga' ? MANGA_ASPECT_RATIOS : IMAGE_ASPECT_RATIOS;
}

/** The request body, checked here for what the server would refuse with a message about JSON fields rather than flags. */
export function generateBody(prompt: string, flags: GenerateFlags, refs: { source?: ImageRef; sourceIsVideo: boolean; imageRef?: ImageRef[] }): GenerationCreate {
  const type = inferType(flags, refs.source, refs.sourceIsVideo);
  const video = VIDEO_TYPES.includes(type);
  const model = flags.model ?? (video ? 'ray-3.2' : undefined);
  if (model && !MODEL_TYPES[model].includes(type)) {
    throw new UsageError(`--model ${model} can't make type ${type}: it makes ${MODEL_TYPES[model].join(', ')}`);
  }
  if (flags.aspectRatio && type !== 'image_edit' && type !== 'video_edit' && type !== 'layering') {
    const valid = aspectRatiosFor(type, flags.style);
    if (!valid.includes(flags.aspectRatio)) {
      throw new UsageError(`--aspect-ratio ${flags.aspectRatio} isn't offered for ${flags.style === 'manga' ? 'manga ' : ''}${type}: use one of ${byShape(valid)}`);
    }
  }
  const usedVideoFlags = VIDEO_FLAGS.filter((f) => flags[f] !== undefined);
  if (!video && usedVideoFlags.length) throw new UsageError(`--${usedVideoFlags[0]} is a video option, but this is a ${type} generation`);
  if (flags.layeringResolution && type !== 'layering') throw new UsageError(`--layering-resolution needs type layering, not ${type}`);
  const body: GenerationCreate = {
    prompt,
    type,
    model,
    aspect_ratio: flags.aspectRatio,
    style: flags.style,
    output_format: flags.format,
    user_id: flags.userId,
    web_search: flags.webSearch,
    image_ref: refs.imageRef,
    source: refs.source,
  };
  if (video && usedVideoFlags.length) {
    body.video = { duration: flags.duration, resolution: flags.resolution, loop: flags.loop, hdr: flags.hdr, exr_export: flags.exr };
  }
  if (type === 'layering' && flags.layeringResolution) body.layering = { resolution: flags.layeringResolution };
  // Unset flags are left out, so the server's defaults apply.
  return JSON.parse(JSON.stringify(body));
}
