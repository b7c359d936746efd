import type { GenerationRequest } from '../../contract/index.js';
import { composite, gradeImage, type Layer, type RawImage } from '../../media/image.js';
import type { ImageInput } from '../engine.js';
import { hex, type Palette } from './palette.js';
import { refThumbnails } from './refs.js';
import type { Theme } from './theme.js';
import { clip, setText } from './typography.js';

/**
 * image_edit: the source at its own size, visibly edited (a seeded hue turn and
 * grade, a soft-light tint in the key colour, a vignette) with the edit prompt
 * as a caption band and the refs as small thumbnails.
 */
export async function renderEdit(
  request: GenerationRequest,
  source: ImageInput,
  look: { palette: Palette; theme: Theme; rand: () => number },
  refs: ImageInput[],
): Promise<RawImage> {
  const { palette, theme, rand } = look;
  const graded = await gradeImage(source.bytes, {
    hue: (30 + rand() * 70) * (rand() < 0.5 ? -1 : 1),
    saturation: 1.1 + rand() * 0.3,
    brightness: 0.96 + rand() * 0.1,
    contrast: 1.08 + rand() * 0.1,
  });
  const { width, height } = graded;
  const svg = (body: string) => ({ svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${body}</svg>` });
  const tint = `<rect width="100%" height="100%" fill="${hex(palette.swatches[0])}" fill-opacity="0.45"/>`;
  const vignette = `<defs><radialGradient id="v" r="0.75"><stop offset="0.55" stop-color="#fff"/><stop offset="1" stop-color="#3a3a3a"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#v)"/>`;
  const layers: Layer[] = [
    { image: svg(tint), left: 0, top: 0, blend: 'soft-light' },
    { image: svg(vignette), left: 0, top: 0, blend: 'multiply' },
  ];
  if (height >= 48 && width >= 64) layers.push(...(await caption(request, { width, height }, theme, refs)));
  return composite(graded, layers);
}

/** A dark band along the bottom: the edit prompt and an honest label on the left, ref thumbnails on the right. */
async function caption(request: GenerationRequest, size: { width: number; height: number }, theme: Theme, refs: ImageInput[]): Promise<Layer[]> {
  const { width, height } = size;
  const band = Math.round(Math.min(height * 0.4, Math.max(44, Math.min(width, height) * 0.2)));
  const top = height - band;
  const pad = Math.round(band * 0.14);
  const thumb = band - 2 * pad;
  const refBox = { x: Math.round(width * 0.6), y: top + pad, w: Math.round(width * 0.4) - pad, h: thumb };
  const thumbnails = await refThumbnails(refs, refBox, thumb);
  const firstRef = thumbnails[0] ? thumbnails[0].left : width;
  const textWidth = firstRef - 2 * pad;

  const kind = request.style === 'manga' ? 'IMAGE EDIT  ·  MANGA' : 'IMAGE EDIT';
  const honest = `Atelier preview · ${request.model} · ${width}×${height} · not a generative model`;
  const row = (share: number) => ({ width: textWidth, height: band * share });
  const [eyebrow, prompt, label] = await Promise.all([
    setText(kind, row(0.2), { face: 'bold', size: Math.max(10, band * 0.1), colour: theme.accent, tracking: 0.12 }),
    setText(clip(request.prompt, 160), row(0.4), { face: 'bold', size: band * 0.2, colour: theme.text }),
    setText(honest, row(0.2), { face: 'mono', size: Math.max(10, band * 0.09), colour: theme.muted }),
  ]);
  const shade = `<rect width="100%" height="100%" fill="${theme.panel}" fill-opacity="${Math.max(0.74, theme.panelOpacity)}"/>`;
  const layers: Layer[] = [
    { image: { svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${band}">${shade}</svg>` }, left: 0, top },
    ...thumbnails,
  ];
  if (eyebrow) layers.push({ image: eyebrow, left: pad, top: top + pad });
  if (prompt) layers.push({ image: prompt, left: pad, top: top + pad + (eyebrow ? eyebrow.height + band * 0.08 : 0) });
  if (label) layers.push({ image: label, left: pad, top: height - pad - label.height });
  return layers;
}
