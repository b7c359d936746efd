import { createHash } from 'node:crypto';
import type { GenerationRequest } from '../../../contract/index.js';
import { dominantColours, type Rgb } from '../../../media/image.js';
import type { ImageInput } from '../../engine.js';
import { buildPalette, type Palette } from '../palette.js';
import { random, requestSeed } from '../seed.js';
import { themeFor, type Theme } from '../theme.js';

export interface Look {
  palette: Palette;
  theme: Theme;
  rand: () => number;
}

/** The card's palette and theme, seeded by the request (video options included) and the input bytes. */
export async function videoLook(request: GenerationRequest, images: ImageInput[]): Promise<Look> {
  const seed = createHash('sha256').update(requestSeed(request, images)).update(JSON.stringify(request.video ?? null)).digest();
  const rand = random(seed);
  const colours: Rgb[] = [];
  for (const image of images.slice(0, 2)) colours.push(...(await dominantColours(image.bytes, 1)));
  const palette = buildPalette(rand, colours);
  return { palette, theme: themeFor(palette, false), rand };
}
