import type { AspectRatio } from '../../contract/index.js';
import type { ImageInput } from '../engine.js';

/** Output pixels per aspect ratio (spec §10.3). */
export const IMAGE_SIZES: Partial<Record<AspectRatio, readonly [number, number]>> = {
  '3:1': [3360, 1248],
  '2:1': [2912, 1440],
  '16:9': [2784, 1504],
  '3:2': [2464, 1696],
  '1:1': [2048, 2048],
  '2:3': [1696, 2464],
  '9:16': [1504, 2784],
  '1:2': [1440, 2912],
  '1:3': [1248, 3360],
};

/** `aspect_ratio: null` means the model picks: manga → 2:3; refs → the ratio nearest the first ref; else 16:9. */
export function chooseAspectRatio(requested: AspectRatio | null, style: string, refs: ImageInput[]): AspectRatio {
  if (requested) return requested;
  if (style === 'manga') return '2:3';
  const first = refs.find((r) => r.role === 'image_ref');
  if (!first) return '16:9';
  const target = Math.log(first.width / first.height);
  const ratios = Object.entries(IMAGE_SIZES) as Array<[AspectRatio, readonly [number, number]]>;
  return ratios.reduce((best, [ratio, [w, h]]) => {
    const [bw, bh] = IMAGE_SIZES[best]!;
    return Math.abs(Math.log(w / h) - target) < Math.abs(Math.log(bw / bh) - target) ? ratio : best;
  }, ratios[0][0]);
}
