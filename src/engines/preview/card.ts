import type { GenerationRequest } from '../../contract/index.js';
import { composite, coverResize, renderSvg, type Layer, type RawImage, type Rgb } from '../../media/image.js';
import type { ImageInput } from '../engine.js';
import { hex, luminance } from './palette.js';
import { clip, setText } from './typography.js';

/** The canvas: a diagonal gradient, soft light pools, thirds guides, the palette swatches and the prompt panel. */
function canvasSvg(width: number, height: number, palette: Rgb[], panel: Box, rand: () => number): string {
  const unit = Math.min(width, height);
  const pools = palette.slice(1, 4).map((colour, i) => {
    const cx = Math.round(width * (0.15 + rand() * 0.7));
    const cy = Math.round(height * (0.1 + rand() * 0.5));
    const r = Math.round(unit * (0.35 + rand() * 0.35));
    return `<radialGradient id="p${i}"><stop offset="0" stop-color="${hex(colour)}" stop-opacity="0.85"/><stop offset="1" stop-color="${hex(colour)}" stop-opacity="0"/></radialGradient><circle cx="${cx}" cy="${cy}" r="${r}" fill="url(#p${i})"/>`;
  });
  const guides = [1, 2]
    .flatMap((k) => [
      `<line x1="${(width * k) / 3}" y1="0" x2="${(width * k) / 3}" y2="${height}"/>`,
      `<line x1="0" y1="${(height * k) / 3}" x2="${width}" y2="${(height * k) / 3}"/>`,
    ])
    .join('');
  const angle = Math.round(rand() * 360);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="bg" gradientTransform="rotate(${angle} 0.5 0.5)"><stop offset="0" stop-color="${hex(palette[0])}"/><stop offset="1" stop-color="${hex(palette[4])}"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#bg)"/>${pools.join('')}
<g stroke="#ffffff" stroke-opacity="0.14" stroke-width="${Math.max(1, Math.round(unit / 700))}">${guides}</g>
${panelSvg(unit, palette, panel)}</svg>`;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The panel the prompt sits on, and the palette swatches above it. */
function panelSvg(unit: number, palette: Rgb[], panel: Box): string {
  const radius = Math.round(unit * 0.03);
  const swatch = Math.round(unit * 0.045);
  const gap = Math.round(swatch * 0.35);
  const swatches = palette
    .map((colour, i) => {
      const x = panel.x + i * (swatch + gap);
      const y = panel.y - swatch - gap * 2;
      return `<rect x="${x}" y="${y}" width="${swatch}" height="${swatch}" rx="${Math.round(swatch / 4)}" fill="${hex(colour)}" stroke="#ffffff" stroke-opacity="0.85" stroke-width="${Math.max(2, Math.round(swatch / 18))}"/>`;
    })
    .join('');
  return `<rect x="${panel.x}" y="${panel.y}" width="${panel.w}" height="${panel.h}" rx="${radius}" fill="#0b0b10" fill-opacity="0.62"/>${swatches}`;
}

/** Ref thumbnails along the top right, each framed in white. */
async function thumbnails(refs: ImageInput[], width: number, unit: number): Promise<Layer[]> {
  const size = Math.round(unit * 0.13);
  const border = Math.max(2, Math.round(size * 0.04));
  const margin = Math.round(unit * 0.06);
  const layers: Layer[] = [];
  for (const [i, ref] of refs.slice(0, 9).entries()) {
    const left = width - margin - (i + 1) * (size + border * 3) + border;
    if (left < margin) break;
    const frame = await renderSvg(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${size + 2 * border}" height="${size + 2 * border}"><rect width="100%" height="100%" rx="${border * 2}" fill="#ffffff"/></svg>`,
    );
    layers.push({ image: frame, left: left - border, top: margin - border });
    layers.push({ image: await coverResize(ref.bytes, size, size), left, top: margin });
  }
  return layers;
}

/** The text-to-image preview: prompt, palette, refs and an honest label. */
export async function renderCard(
  request: GenerationRequest,
  size: { width: number; height: number },
  palette: Rgb[],
  refs: ImageInput[],
  rand: () => number,
): Promise<RawImage> {
  const { width, height } = size;
  const unit = Math.min(width, height);
  const margin = Math.round(unit * 0.06);
  const panel = { x: margin, y: Math.round(height * 0.52), w: width - 2 * margin, h: Math.round(height * 0.48) - margin };
  const pad = Math.round(unit * 0.045);

  const canvas = await renderSvg(canvasSvg(width, height, palette, panel, rand));
  const metaHeight = Math.round(unit * 0.022);
  const prompt = await setText(clip(request.prompt, 320), {
    width: panel.w - 2 * pad,
    height: panel.h - 3 * pad - metaHeight,
    colour: '#f7f5f0',
    face: 'bold',
  });
  const brand = await setText('ATELIER  ·  PREVIEW', { width: unit * 0.42, height: unit * 0.028, colour: luminance(palette[0]) > 0.6 ? '#111111' : '#ffffff', face: 'bold' });
  const meta = await setText(`${request.model}  ·  ${width}×${height}  ·  rendered by the preview engine, not a generative model`, {
    width: panel.w - 2 * pad,
    height: metaHeight,
    colour: '#c9c6bf',
    face: 'mono',
  });

  return composite(canvas, [
    { image: brand, left: margin, top: margin },
    ...(await thumbnails(refs, width, unit)),
    { image: prompt, left: panel.x + pad, top: panel.y + pad },
    { image: meta, left: panel.x + pad, top: panel.y + panel.h - pad - meta.height },
  ]);
}
