import type { AspectRatio } from '../../contract/index.js';

/**
 * What each family of OpenAI-compatible image models accepts as `size`.
 * - `gpt-image`: gpt-image-1 and its successors (three fixed sizes, always base64 out).
 * - `dall-e-3`: three fixed sizes. `dall-e-2`: squares only.
 * - `free`: servers that render any width × height (LocalAI, vLLM, Stable Diffusion
 *   front ends): about one megapixel in multiples of 64.
 */
export const MODEL_FAMILIES = ['gpt-image', 'dall-e-3', 'dall-e-2', 'free'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

const FIXED_SIZES: Record<Exclude<ModelFamily, 'free'>, readonly string[]> = {
  'gpt-image': ['1024x1024', '1536x1024', '1024x1536'],
  'dall-e-3': ['1024x1024', '1792x1024', '1024x1792'],
  'dall-e-2': ['1024x1024'],
};

/** The family a model name belongs to; a name we don't know renders any size. */
export function modelFamily(model: string): ModelFamily {
  const name = model.toLowerCase();
  if (name.startsWith('gpt-image') || name.startsWith('chatgpt-image')) return 'gpt-image';
  if (name.startsWith('dall-e-3')) return 'dall-e-3';
  if (name.startsWith('dall-e-2')) return 'dall-e-2';
  return 'free';
}

const ratioOf = (size: string) => {
  const [w, h] = size.split('x').map(Number);
  return w / h;
};

/**
 * The `size` sent for a width:height ratio: a configured size for that aspect ratio wins;
 * otherwise the family's size nearest on a log scale (so 2:1 is as far from 1:1 as 1:2),
 * or for `free` about 1 MP at that ratio, each side a multiple of 64.
 */
export function sizeFor(family: ModelFamily, ratio: number, overrides: Partial<Record<AspectRatio, string>> = {}, named?: AspectRatio): string {
  if (named && overrides[named]) return overrides[named]!;
  if (family === 'free') {
    const snap = (v: number) => Math.max(256, Math.round(v / 64) * 64);
    return `${snap(Math.sqrt(1024 * 1024 * ratio))}x${snap(Math.sqrt((1024 * 1024) / ratio))}`;
  }
  const distance = (size: string) => Math.abs(Math.log(ratioOf(size)) - Math.log(ratio));
  return FIXED_SIZES[family].reduce((best, size) => (distance(size) < distance(best) ? size : best));
}
