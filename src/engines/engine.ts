import type { SegmentationModel } from '../media/segment-model.js';
import type { GenerationRequest, Layer } from '../contract/index.js';
import type { FailureCode } from '../contract/index.js';
import type { VideoToolkit } from '../media/video/index.js';

/** A decoded input image, already checked for format and pixel limits. */
export interface ImageInput {
  role: 'source' | 'image_ref' | 'start_frame' | 'end_frame' | 'keyframe' | 'edit_keyframe';
  /** Position in `image_ref` or the keyframe list, 0 for the source and the start/end frame. */
  index: number;
  bytes: Buffer;
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'webp' | 'gif';
}

/** A video input (an edit or reframe source), probed and written to a file the engine may read. */
export interface VideoInput {
  kind: 'video';
  role: 'source';
  index: 0;
  file: string;
  width: number;
  height: number;
  seconds: number;
  fps: number;
  frames: number;
}

export type EngineInput = ImageInput | VideoInput;

export const isVideoInput = (input: EngineInput): input is VideoInput => 'kind' in input && input.kind === 'video';

export interface EngineOutput {
  type: 'image' | 'video' | 'exr';
  bytes: Buffer;
  mediaType: string;
  extension: string;
  /** For video outputs: what later edits, reframes and extends are checked against. */
  video?: { width: number; height: number; seconds: number; frames: number };
  /** Layering outputs only: where this file sits in the stack. */
  layer?: Layer;
}

/** An output as the job stores it: in memory, or (a video re-homed from a backend) a file in the job's work directory. */
export type OutputFile = EngineOutput | (Omit<EngineOutput, 'bytes'> & { bytes?: undefined; file: string });

export type EngineResult =
  | { ok: true; outputs: EngineOutput[] }
  | { ok: false; failureCode: FailureCode; failureReason: string };

export interface EngineContext {
  signal: AbortSignal;
  /** Fraction done, 0..1, and optionally what the engine is doing (shown as the `progress` extension field). */
  progress(fraction: number, stage?: string): void;
  /** ffmpeg, for engines that make video; absent where no video runs. */
  video?: VideoToolkit;
  /** A scratch directory of this job, removed after it. */
  workDir?: string;
  /** Engine settings from config; each engine has its default. */
  settings?: { layeringModel?: SegmentationModel };
}

export type Engine = (
  request: GenerationRequest,
  inputs: EngineInput[],
  ctx: EngineContext,
) => Promise<EngineResult>;
