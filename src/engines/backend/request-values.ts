import { randomInt } from 'node:crypto';
import type { AspectRatio, EditStrength, GenerationRequest } from '../../contract/index.js';
import { isVideoInput, type EngineInput } from '../engine.js';
import { aspectRatioValue } from './aspect-ratio.js';
import { chooseAspectRatio } from '../preview/sizes.js';

/**
 * The named values a backend template (a ComfyUI workflow, a Cog input mapping) may hold as
 * `{{name}}`. Input images are added by each engine in the form its backend takes them.
 */
export const PLACEHOLDERS = [
  'prompt', 'negative_prompt', 'width', 'height', 'aspect_ratio', 'seed', 'strength', 'output_format',
  'source', 'start_frame', 'end_frame',
  'image_ref_0', 'image_ref_1', 'image_ref_2', 'image_ref_3', 'image_ref_4', 'image_ref_5', 'image_ref_6', 'image_ref_7', 'image_ref_8',
  'frames', 'fps', 'seconds', 'resolution',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Partial<Record<Placeholder, string | number>>;

export interface ValueSettings {
  negativePrompt: string;
  /** Pixels of an image output, in megapixels (sides snapped to multiples of 64). */
  megapixels: number;
  /** `"WxH"` per aspect ratio, overriding the megapixel rule. */
  sizes: Partial<Record<AspectRatio, string>>;
  /** Denoise for image_edit (0 keeps the source, 1 ignores it). */
  editStrength: number;
  fps: number;
}

/** The settings from an entry's template fields (comfyui, cog), defaults applied. */
export function valueSettings(entry: { negative_prompt?: string; megapixels?: number; sizes?: Partial<Record<AspectRatio, string>>; edit_strength?: number; fps?: number }): ValueSettings {
  return {
    negativePrompt: entry.negative_prompt ?? '',
    megapixels: entry.megapixels ?? 1,
    sizes: entry.sizes ?? {},
    editStrength: entry.edit_strength ?? 0.6,
    fps: entry.fps ?? 24,
  };
}

/** video_edit's strength names as denoise amounts. */
const EDIT_DENOISE: Record<EditStrength, number> = {
  adhere_1: 0.2, adhere_2: 0.3, adhere_3: 0.4, flex_1: 0.5, flex_2: 0.6, flex_3: 0.7, reimagine_1: 0.8, reimagine_2: 0.9, reimagine_3: 1,
};

const snap = (value: number, step: number) => Math.max(step, Math.round(value / step) * step);

/** Width and height of the output: a video's short side is its resolution, an image is about `megapixels`. */
function outputSize(request: GenerationRequest, inputs: EngineInput[], settings: ValueSettings): [number, number] {
  const source = inputs.find((i) => i.role === 'source');
  const images = inputs.filter((i) => !isVideoInput(i));
  let named: AspectRatio | undefined;
  let ratio: number;
  if (source) ratio = source.width / source.height;
  else if (request.video) {
    named = request.aspect_ratio ?? '16:9';
    ratio = aspectRatioValue(named);
  } else {
    named = chooseAspectRatio(request.aspect_ratio, request.style, images.filter((i) => i.role === 'image_ref') as never);
    ratio = aspectRatioValue(named);
  }
  const configured = named && settings.sizes[named];
  if (configured) {
    const [w, h] = configured.split('x').map(Number);
    return [w, h];
  }
  if (request.video) {
    const short = Number.parseInt(request.video.resolution, 10);
    return ratio >= 1 ? [snap(short * ratio, 16), snap(short, 16)] : [snap(short, 16), snap(short / ratio, 16)];
  }
  const area = settings.megapixels * 1024 * 1024;
  return [snap(Math.sqrt(area * ratio), 64), snap(Math.sqrt(area / ratio), 64)];
}

/** Every placeholder value a request gives, but the uploaded file names (added by the engine). */
export function requestValues(request: GenerationRequest, inputs: EngineInput[], settings: ValueSettings): PlaceholderValues {
  const [width, height] = outputSize(request, inputs, settings);
  const values: PlaceholderValues = {
    prompt: request.prompt,
    negative_prompt: settings.negativePrompt,
    width,
    height,
    seed: randomInt(0, 2 ** 47),
    fps: settings.fps,
  };
  if (request.aspect_ratio) values.aspect_ratio = request.aspect_ratio;
  if (request.output_format) values.output_format = request.output_format;
  if (request.type === 'image_edit') values.strength = settings.editStrength;
  if (request.video?.edit?.strength) values.strength = EDIT_DENOISE[request.video.edit.strength];
  if (request.video) {
    const source = inputs.find(isVideoInput);
    const seconds = source ? source.seconds : Number.parseInt(request.video.duration, 10);
    values.frames = Math.round(seconds * settings.fps);
    values.seconds = seconds;
    values.resolution = request.video.resolution;
  }
  return values;
}

/** The placeholder an input fills: `source`, `start_frame`, `image_ref_<n>` …; null for inputs no placeholder names. */
export function placeholderOf(input: EngineInput): string | null {
  if (input.role === 'source' || input.role === 'start_frame' || input.role === 'end_frame') return input.role;
  if (input.role === 'image_ref') return `image_ref_${input.index}`;
  return null;
}
