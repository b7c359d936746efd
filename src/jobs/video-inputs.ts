import { FAILURE_REASONS, sourceProblem, type FailureCode } from '../contract/index.js';
import type { EngineInput } from '../engines/index.js';
import type { StoredInput, StoredRequest } from '../generations/index.js';
import { probeImage } from '../media/image.js';
import { probeVideoFile, type VideoToolkit } from '../media/video/index.js';
import type { BlobStore } from '../storage/index.js';
import type { Config } from '../config.js';

export type Loaded = { ok: true; input: EngineInput } | { ok: false; code: FailureCode; reason: string };

const fail = (code: FailureCode, reason: string = FAILURE_REASONS[code]): Loaded => ({ ok: false, code, reason });

/**
 * A video input of a job, read from its blob (in place, or a copy in the job's `workDir`): an edit/reframe source becomes a
 * probed file (facts measured at submit are not probed again); the prior clip of an
 * extend becomes its last frame (forward) or first frame (backward) as an image.
 */
export async function loadVideoInput(
  video: VideoToolkit | undefined,
  blobs: BlobStore,
  request: StoredRequest,
  input: StoredInput,
  limits: Config['limits'],
  signal: AbortSignal,
  workDir: string,
): Promise<Loaded> {
  if (!(await blobs.stat(input.key))) return fail('invalid_request', `${input.path}: the referenced video is no longer available`);
  if (!video || video.problem) return fail('generation_failed', `Video inputs need ffmpeg: ${video?.problem ?? 'not configured'}`);
  const file = await blobs.localFile(input.key, workDir);
  if (!file) return fail('invalid_request', `${input.path}: the referenced video is no longer available`);
  let p = input.facts;
  if (!p) {
    const probed = await probeVideoFile(video, file, signal);
    if (!probed.ok) return fail(probed.code, `${input.path}: ${probed.reason}`);
    p = probed.probe;
  }

  if (input.role !== 'source') {
    const png = await video.grabFrame(file, input.role === 'start_frame' ? Math.max(0, p.frames - 1) : 0, signal);
    const frame = await probeImage(png, limits);
    if (!frame.ok) return fail('corrupt_input', `${input.path}: the prior clip's frame could not be read`);
    return { ok: true, input: { role: input.role, index: input.index, bytes: png, width: frame.width, height: frame.height, format: 'png' } };
  }

  if (p.width > limits.maxSide || p.height > limits.maxSide) return fail('image_too_large', `${input.path}: video is ${p.width}×${p.height} pixels; the limit is ${limits.maxSide} per side`);
  const problem = sourceProblem(request, p, limits);
  if (problem) return fail('invalid_request', problem.detail);
  return { ok: true, input: { kind: 'video', role: 'source', index: 0, file, width: p.width, height: p.height, seconds: p.seconds, fps: p.fps, frames: p.frames } };
}
