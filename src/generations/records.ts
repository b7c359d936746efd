import type { GenerationRequest, ImageRef, Layer } from '../contract/index.js';
import type { Emulation } from '../emulator/emulation.js';

/** An input as stored with its generation: a blob key, never the bytes. */
export interface StoredInput {
  role: 'source' | 'image_ref';
  index: number;
  path: string;
  key: string;
  origin: 'data' | 'url' | 'generation' | 'file';
}

/** What `generations.request` holds: the normalized request without inline bytes. */
export interface StoredRequest extends GenerationRequest {
  inputs: StoredInput[];
  /** The emulator's plan for this generation (latency, injected failure); absent = run at once. */
  emulation?: Emulation;
}

/** What `generations.output` holds. */
export interface StoredOutput {
  type: 'image' | 'video';
  key: string;
  media_type: string;
  /** Layering outputs only. */
  layer?: Layer;
}

/** Keeps a ref's provenance for the record but drops inline data. */
export function describeRef(ref: ImageRef): ImageRef {
  if (ref.data != null) return { media_type: ref.media_type ?? null };
  return Object.fromEntries(Object.entries(ref).filter(([, v]) => v != null)) as ImageRef;
}

export function parseOutputs(json: string | null): StoredOutput[] {
  return json ? (JSON.parse(json) as StoredOutput[]) : [];
}
