import type { GenerationRequest, Layer } from '../contract/index.js';
import type { FailureCode } from '../contract/index.js';

/** A decoded input image, already checked for format and pixel limits. */
export interface ImageInput {
  role: 'source' | 'image_ref';
  /** Position in `image_ref`, 0 for the source. */
  index: number;
  bytes: Buffer;
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'webp' | 'gif';
}

export interface EngineOutput {
  type: 'image' | 'video';
  bytes: Buffer;
  mediaType: string;
  extension: string;
  /** Layering outputs only: where this file sits in the stack. */
  layer?: Layer;
}

export type EngineResult =
  | { ok: true; outputs: EngineOutput[] }
  | { ok: false; failureCode: FailureCode; failureReason: string };

export interface EngineContext {
  signal: AbortSignal;
  /** Fraction done, 0..1. */
  progress(fraction: number): void;
  /** Engine settings from config; each engine has its default. */
  settings?: { layeringModel?: 'small' | 'medium' };
}

export type Engine = (
  request: GenerationRequest,
  inputs: ImageInput[],
  ctx: EngineContext,
) => Promise<EngineResult>;
