import type { AspectRatio } from '../../contract/index.js';
import type { ImageInput } from '../engine.js';

/** Output pixels per aspect ratio (spec §10.3). */
export const IMAGE_SIZES = {
  '3:1': [3360, 1248],
  '2:1': [2912, 1440],
  '16:9': [2784, 1504],
  '3:2': [2464, 1696],
  '1:1': [2048, 2048],
  '2:3': [1696, 2464],
  '9:16': [1504, 2784],
  '1:2': [1440, 2912],
  '1:3': [1248, 3360],
} as const satisfies Partial<Record<AspectRatio, readonly [number, number]>>;

export type ImageAspectRatio = keyof typeof IMAGE_SIZES;

const isImageRatio = (ratio: string): ratio is ImageAspectRatio => Object.hasOwn(IMAGE_SIZES, ratio);

/**
 * The ratio an `image` is rendered at. `aspect_ratio: null` lets the model choose:
 * manga → 2:3; with refs → the ratio nearest the first ref's; otherwise 16:9.
 */
export function chooseAspectRatio(requested: AspectRatio | null, style: 'auto' | 'manga', refs: Pick<ImageInput, 'role' | 'width' | 'height'>[]): ImageAspectRatio {
  if (requested) {
    if (!isImageRatio(requested)) throw new Error(`aspect ratio ${requested} has no image size`);
    return requested;
  }
  if (style === 'manga') return '2:3';
  const first = refs.find((r) => r.role === 'image_ref');
  if (!first) return '16:9';
  // Compared on a log scale, so 2:1 is as far from 1:1 as 1:2 is.
  const target = Math.log(first.width / first.height);
  const distance = (ratio: ImageAspectRatio) => Math.abs(Math.log(IMAGE_SIZES[ratio][0] / IMAGE_SIZES[ratio][1]) - target);
  return (Object.keys(IMAGE_SIZES) as ImageAspectRatio[]).reduce((best, ratio) => (distance(ratio) < distance(best) ? ratio : best));
}
