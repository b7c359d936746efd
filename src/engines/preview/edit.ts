import type { GenerationRequest } from '../../contract/index.js';
import { composite, coverResize, gradeImage, renderSvg, type Layer, type RawImage, type Rgb } from '../../media/image.js';
import type { ImageInput } from '../engine.js';
import { clip, setText } from './typography.js';

/** image_edit: the source at its own size, colour-graded from the prompt, with the edit as a caption. */
export async function renderEdit(
  request: GenerationRequest,
  source: ImageInput,
  refs: ImageInput[],
  palette: Rgb[],
  rand: () => number,
): Promise<RawImage> {
  const { width, height } = source;
  const graded = await gradeImage(source.bytes, {
    hue: Math.round(25 + rand() * 90) * (rand() < 0.5 ? -1 : 1),
    saturation: 1.15 + rand() * 0.35,
    brightness: 0.95 + rand() * 0.15,
    tint: palette[0],
  });
  const band = Math.round(Math.max(height * 0.14, Math.min(height, 40)));
  const pad = Math.round(band * 0.18);
  const layers: Layer[] = [
    {
      image: await renderSvg(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${band}"><rect width="100%" height="100%" fill="#0b0b10" fill-opacity="0.68"/></svg>`,
      ),
      left: 0,
      top: height - band,
    },
  ];
  const thumb = band - 2 * pad;
  const shown = thumb >= 8 ? refs.slice(0, Math.max(0, Math.floor((width * 0.4) / (thumb + pad)))) : [];
  for (const [i, ref] of shown.entries()) {
    layers.push({ image: await coverResize(ref.bytes, thumb, thumb), left: width - (i + 1) * (thumb + pad), top: height - band + pad });
  }
  const textWidth = width - 2 * pad - shown.length * (thumb + pad);
  if (band - 2 * pad >= 6 && textWidth >= 16) {
    const caption = await setText(`Edit: ${clip(request.prompt, 200)}`, { width: textWidth, height: band - 2 * pad, colour: '#f7f5f0' });
    layers.push({ image: caption, left: pad, top: height - band + pad });
  }
  return composite(graded, layers);
}
