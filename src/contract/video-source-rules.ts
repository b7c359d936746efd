import { apiError, type ApiError } from './errors.js';
import type { GenerationRequest } from './rules.js';

/** The source rules that need the video itself (spec §3.8): length cap, reframe ratio, edit keyframe grid. */
export function sourceProblem(
  request: Pick<GenerationRequest, 'type' | 'aspect_ratio' | 'video'>,
  p: { width: number; height: number; seconds: number; frames: number },
  limits: { maxEditSeconds: number; maxReframeSeconds: number },
): ApiError | null {
  const limit = request.type === 'video_edit' ? limits.maxEditSeconds : limits.maxReframeSeconds;
  if (p.seconds > limit + 0.05) {
    return apiError('VIDEO_SOURCE_TOO_LONG', { path: 'source', seconds: p.seconds.toFixed(1), type: request.type, limit });
  }
  if (request.type === 'video_reframe' && request.aspect_ratio) {
    const [w, h] = request.aspect_ratio.split(':').map(Number);
    if (Math.abs(Math.log(p.width / p.height) - Math.log(w / h)) < 0.02) {
      return apiError('VIDEO_REFRAME_SAME_ASPECT', { value: request.aspect_ratio });
    }
  }
  const indexes = request.video?.edit?.keyframe_indexes ?? [];
  const bad = indexes.findIndex((index) => index >= p.frames);
  if (bad >= 0) return apiError('VIDEO_EDIT_KEYFRAME_INDEX_RANGE', { i: bad, index: indexes[bad], max: p.frames - 1 });
  return null;
}
