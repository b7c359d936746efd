import { clearPng, squareRgbaPng } from '../../media/image.js';
import type { ImageInput } from '../engine.js';
import type { ImageFile } from './client.js';

/** OpenAI's limit for each file of a dall-e-2 edit. */
const MAX_BYTES = 4 * 1024 * 1024;
const SIDES = [1024, 512, 256];

export interface DallE2Edit {
  image: ImageFile;
  /** Sent when the source is opaque: transparent everywhere, so the whole image is repainted. */
  mask?: ImageFile;
  /** The square size sent, `NxN`. */
  size: string;
}

/**
 * What dall-e-2's edits accept: one square RGBA PNG under 4 MB, repainted where it is transparent
 * (and a mask of the same size, if any). The source is fitted whole into the square, the padding
 * transparent so the model fills it; a source with transparent pixels of its own is edited there,
 * an opaque one is repainted whole through a clear mask. A PNG over 4 MB goes down a size.
 */
export async function dallE2Edit(input: ImageInput, size: string): Promise<DallE2Edit> {
  const [width, height] = size.split('x').map(Number);
  const asked = width === height && SIDES.includes(width) ? width : 1024;
  for (const side of SIDES.filter((s) => s <= asked)) {
    const { png, opaque } = await squareRgbaPng(input.bytes, side);
    if (png.length >= MAX_BYTES) continue;
    const file = (bytes: Buffer, name: string): ImageFile => ({ bytes, mediaType: 'image/png', filename: `${name}.png` });
    return { image: file(png, 'source'), ...(opaque && { mask: file(await clearPng(side), 'mask') }), size: `${side}x${side}` };
  }
  throw new Error('no square PNG under 4 MB'); // 256×256 RGBA is at most 256 KB
}
