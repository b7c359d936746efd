import { apiError } from './errors.js';
import { checkImageRef, checkVideoSource } from './ref-rules.js';
import type {
  AspectRatio,
  EditStrength,
  GenerationCreate,
  ImageRef,
  SourcePosition,
  VideoEditOptions,
  VideoOptions,
  VideoResolution,
} from './schemas.js';

export const VIDEO_ASPECT_RATIOS: readonly AspectRatio[] = ['9:16', '3:4', '1:1', '4:3', '16:9', '21:9'];
/** Aspect ratios as a reader scans them: widest first, square in the middle, tallest last. */
export function byShape(ratios: readonly AspectRatio[]): string {
  const value = (ratio: string) => {
    const [w, h] = ratio.split(':').map(Number);
    return w! / h!;
  };
  return [...ratios].sort((a, b) => value(b) - value(a)).join(', ');
}

export const VIDEO_RATIOS_LISTED = byShape(VIDEO_ASPECT_RATIOS);
export const VIDEO_FPS = 24;
export const FRAMES = { '5s': 120, '10s': 240 } as const;

export type VideoType = 'video' | 'video_edit' | 'video_reframe';

export interface VideoEditRequest {
  auto_controls: boolean;
  strength: EditStrength | null;
  controls: NonNullable<VideoEditOptions['controls']> | null;
  keyframes: ImageRef[];
  keyframe_indexes: number[];
}

/** `video` options after validation, with defaults applied (spec §3.3, §3.7). */
export interface VideoRequest {
  resolution: VideoResolution;
  /** For edit and reframe the output follows the source; this is then the default and unused. */
  duration: '5s' | '10s';
  loop: boolean;
  hdr: boolean;
  exr_export: boolean;
  start_frame: ImageRef | null;
  end_frame: ImageRef | null;
  keyframes: ImageRef[];
  keyframe_indexes: number[];
  source_position: SourcePosition | null;
  edit: VideoEditRequest | null;
}

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;
const notAllowed = (field: string, type: string) => apiError('OPTION_NOT_ALLOWED', { field, type });

/** Spec §3.8 for the three ray-3.2 types. */
export function normalizeVideo(body: GenerationCreate, type: VideoType): VideoRequest {
  const v: VideoOptions = body.video ?? {};
  if (given(body.layering)) throw notAllowed('layering', type);
  if ((body.image_ref ?? []).length > 0) throw notAllowed('image_ref', type);
  if (given(v.guide_frame)) throw apiError('VIDEO_GUIDE_FRAME_UNSUPPORTED');
  if (type === 'video') {
    if (given(body.source)) throw notAllowed('source', type);
  } else {
    if (!given(body.source)) throw apiError('SOURCE_REQUIRED', { type });
    checkVideoSource(body.source, 'source');
  }
  if (type !== 'video_edit' && given(v.edit)) throw notAllowed('video.edit', type);
  if (type !== 'video_reframe' && given(v.source_position)) throw notAllowed('video.source_position', type);
  if (type !== 'video') {
    for (const field of ['end_frame', 'keyframes', 'keyframe_indexes'] as const) if (given(v[field])) throw notAllowed(`video.${field}`, type);
    if (v.loop) throw notAllowed('video.loop', type);
  }
  if (type === 'video_reframe') {
    if (given(v.start_frame)) throw notAllowed('video.start_frame', type);
    if (v.hdr) throw notAllowed('video.hdr', type);
    if (v.exr_export) throw notAllowed('video.exr_export', type);
  }

  if (given(body.aspect_ratio) && type !== 'video_edit' && !VIDEO_ASPECT_RATIOS.includes(body.aspect_ratio)) {
    throw videoAspectRatioError(body.aspect_ratio);
  }
  if (type === 'video_reframe' && !given(body.aspect_ratio)) throw apiError('VIDEO_REFRAME_ASPECT_REQUIRED');

  const resolution = v.resolution ?? '720p';
  const duration = type === 'video' ? (v.duration ?? '5s') : '5s';
  const loop = v.loop ?? false;
  const hdr = v.hdr ?? false;
  const exr = v.exr_export ?? false;
  const keyframes = v.keyframes ?? [];
  const indexes = v.keyframe_indexes ?? [];
  const start = v.start_frame ?? null;
  const end = v.end_frame ?? null;

  if (start) checkImageRef(start, 'video.start_frame');
  if (end) checkImageRef(end, 'video.end_frame');
  keyframes.forEach((ref, i) => checkImageRef(ref, `video.keyframes[${i}]`));

  if (given(v.keyframes) || given(v.keyframe_indexes)) {
    checkKeyframeIndexes('video', keyframes, v.keyframes, v.keyframe_indexes);
    if (start) throw apiError('VIDEO_KEYFRAMES_EXCLUSIVE', { field: 'start_frame' });
    if (end) throw apiError('VIDEO_KEYFRAMES_EXCLUSIVE', { field: 'end_frame' });
    if (loop) throw apiError('VIDEO_KEYFRAMES_EXCLUSIVE', { field: 'loop' });
  }
  if (duration === '10s' && (start || end)) throw apiError('VIDEO_10S_WITH_FRAMES');
  if (loop && duration === '10s') throw apiError('VIDEO_LOOP_10S');
  if (loop && hdr) throw apiError('VIDEO_LOOP_HDR');
  if (loop && end) throw apiError('VIDEO_LOOP_END_FRAME');
  if (hdr && (resolution === '360p' || resolution === '540p')) throw apiError('VIDEO_HDR_RESOLUTION', { resolution });
  if (hdr && duration === '10s' && keyframes.length === 0) throw apiError('VIDEO_HDR_10S');
  if (exr && !hdr) throw apiError('VIDEO_EXR_NEEDS_HDR');

  const anchor = start?.generation_id ? 'video.start_frame' : end?.generation_id ? 'video.end_frame' : null;
  if (anchor && type === 'video') {
    if (hdr || exr) throw apiError('VIDEO_EXTEND_SDR_ONLY', { path: anchor });
    if (start && end) throw apiError('VIDEO_EXTEND_ONE_ANCHOR');
  }

  const grid = FRAMES[duration];
  indexes.forEach((index, i) => {
    if (index > grid) throw apiError('VIDEO_KEYFRAME_INDEX_GRID', { path: 'video', i, index, duration, max: grid });
  });

  if (type === 'video_reframe' && resolution === '1080p' && (body.aspect_ratio === '9:16' || body.aspect_ratio === '3:4')) {
    throw apiError('VIDEO_REFRAME_1080P_VERTICAL');
  }
  const position = v.source_position ?? null;
  if (position) checkSourcePosition(position);

  return {
    resolution,
    duration,
    loop,
    hdr,
    exr_export: exr,
    start_frame: start,
    end_frame: end,
    keyframes,
    keyframe_indexes: indexes,
    source_position: position,
    edit: type === 'video_edit' ? normalizeEdit(v.edit ?? null, start) : null,
  };
}

function normalizeEdit(edit: VideoEditOptions | null, start: ImageRef | null): VideoEditRequest {
  const keyframes = edit?.keyframes ?? [];
  if (edit && (given(edit.keyframes) || given(edit.keyframe_indexes))) {
    keyframes.forEach((ref, i) => checkImageRef(ref, `video.edit.keyframes[${i}]`));
    checkKeyframeIndexes('video.edit', keyframes, edit.keyframes, edit.keyframe_indexes);
    if (start) throw apiError('VIDEO_EDIT_GUIDE_EXCLUSIVE');
  }
  const manual = given(edit?.strength) || given(edit?.controls);
  if (edit?.auto_controls === true && manual) {
    throw apiError('VIDEO_EDIT_AUTO_EXCLUSIVE', { field: given(edit.strength) ? 'strength' : 'controls' });
  }
  return {
    // Omitted: strength or controls mean manual mode, otherwise the recommended automatic one.
    auto_controls: edit?.auto_controls ?? !manual,
    strength: edit?.strength ?? null,
    controls: edit?.controls ?? null,
    keyframes,
    keyframe_indexes: edit?.keyframe_indexes ?? [],
  };
}

/** Pairing, length, sign and uniqueness; the upper bound depends on the grid and is checked by the caller. */
function checkKeyframeIndexes(path: string, keyframes: ImageRef[], rawKeyframes: unknown, rawIndexes: number[] | null | undefined): void {
  if (!given(rawKeyframes) || !given(rawIndexes)) throw apiError('VIDEO_KEYFRAMES_UNPAIRED', { path });
  if (keyframes.length !== rawIndexes.length) {
    throw apiError('VIDEO_KEYFRAMES_LENGTH', { path, keyframes: keyframes.length, indexes: rawIndexes.length });
  }
  const seen = new Set<number>();
  rawIndexes.forEach((index, i) => {
    if (index < 0) throw apiError('VIDEO_KEYFRAME_INDEX_NEGATIVE', { path, i, index });
    if (seen.has(index)) throw apiError('VIDEO_KEYFRAME_INDEX_DUPLICATE', { path, i, index });
    seen.add(index);
  });
}

function checkSourcePosition(position: SourcePosition): void {
  for (const field of ['x_norm', 'y_norm'] as const) {
    const value = position[field];
    if (!(value >= -2 && value <= 2)) throw apiError('VIDEO_SOURCE_POSITION_RANGE', { field, range: 'between -2.0 and 2.0', value });
  }
  for (const field of ['w_norm', 'h_norm'] as const) {
    const value = position[field];
    if (!(value > 0 && value <= 2)) throw apiError('VIDEO_SOURCE_POSITION_RANGE', { field, range: 'greater than 0 and at most 2.0', value });
  }
}

export function videoAspectRatioError(value: unknown) {
  return apiError('ASPECT_RATIO_INVALID', { value: String(value), valid: VIDEO_RATIOS_LISTED });
}
