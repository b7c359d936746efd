import type { GenerationRequest, ImageRef, Layer, VideoRequest } from '../contract/index.js';
import type { Emulation } from '../emulator/emulation.js';

/** An input as stored with its generation: a blob key, never the bytes. */
export interface StoredInput {
  role: InputRole;
  index: number;
  path: string;
  key: string;
  origin: 'data' | 'url' | 'generation' | 'file';
  /** Set for video bytes: an edit/reframe source, or the prior clip of an extend. */
  kind?: 'video';
  /** An edit/reframe source's facts, measured at submit so the job doesn't probe it again. */
  facts?: SourceFacts;
}

export type InputRole = 'source' | 'image_ref' | 'start_frame' | 'end_frame' | 'keyframe' | 'edit_keyframe';

/** What `generations.request` holds: the normalized request without inline bytes. */
export interface StoredRequest extends GenerationRequest {
  inputs: StoredInput[];
  /** The emulator's plan for this generation (latency, injected failure); absent = run at once. */
  emulation?: Emulation;
}

/** What `generations.output` holds. */
export interface StoredOutput {
  type: 'image' | 'video' | 'exr';
  key: string;
  media_type: string;
  /** Layering outputs only. */
  layer?: Layer;
  /** Video facts, so a later edit, reframe or extend can be checked and priced at submit. */
  video?: VideoFacts;
}

export interface VideoFacts {
  width: number;
  height: number;
  seconds: number;
  frames: number;
}

export type SourceFacts = VideoFacts & { fps: number };

/** Keeps a ref's provenance for the record but drops inline data. */
export function describeRef(ref: ImageRef): ImageRef {
  if (ref.data != null) return { media_type: ref.media_type ?? null };
  return Object.fromEntries(Object.entries(ref).filter(([, v]) => v != null)) as ImageRef;
}

/** The video options as stored: every frame ref without its inline data. */
export function describeVideo(video: VideoRequest): VideoRequest {
  const ref = (r: ImageRef | null) => r && describeRef(r);
  return {
    ...video,
    start_frame: ref(video.start_frame),
    end_frame: ref(video.end_frame),
    keyframes: video.keyframes.map(describeRef),
    edit: video.edit && { ...video.edit, keyframes: video.edit.keyframes.map(describeRef) },
  };
}

export function parseOutputs(json: string | null): StoredOutput[] {
  return json ? (JSON.parse(json) as StoredOutput[]) : [];
}
