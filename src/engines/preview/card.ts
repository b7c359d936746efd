import type { GenerationRequest } from '../../contract/index.js';
import { composite, type Layer, type RawImage } from '../../media/image.js';
import type { ImageInput } from '../engine.js';
import { backdrop } from './backdrop.js';
import { cardLayout, type Box } from './layout.js';
import { hex, type Palette } from './palette.js';
import { refThumbnails } from './refs.js';
import type { Theme } from './theme.js';
import { clip, setText } from './typography.js';

const PROMPT_CHARS = 320;
/** The smallest type, in pixels, that stays legible on a 360p frame. */
const MIN_TEXT = 11;

/**
 * The text-to-image preview card: motif, prompt, palette swatches, ref thumbnails and an honest label.
 * A video's card is a stage larger than its frames: `output` is the file's real size (for the label)
 * and `safe` the stage area every frame shows, which the panel keeps inside.
 */
export async function renderCard(
  request: GenerationRequest,
  size: { width: number; height: number; ratio: string; output?: { width: number; height: number }; safe?: Box },
  look: { palette: Palette; theme: Theme; rand: () => number },
  refs: ImageInput[],
): Promise<RawImage> {
  const { width, height } = size;
  const { palette, theme, rand } = look;
  const layout = cardLayout(width, height, size.safe);
  const output = size.output ?? { width, height };
  const type = (fraction: number) => Math.max(MIN_TEXT, unit * fraction);
  const { unit, margin } = layout;
  const pad = Math.round(unit * 0.05);
  const gap = Math.round(unit * 0.03);
  const hairline = Math.max(1, Math.round(unit / 1000));
  const innerWidth = layout.panelWidth - 2 * pad;
  const codeSize = type(0.0145);
  // A chip is at least as wide as its seven-character code in DejaVu Sans Mono (0.6 em a glyph).
  const chip = { w: Math.max(Math.round(unit * 0.075), Math.ceil(codeSize * 0.6 * 7) + 2), h: Math.round(unit * 0.042), gap: Math.round(unit * 0.018) };
  const swatches = palette.swatches.slice(0, Math.max(1, Math.floor((innerWidth + chip.gap) / (chip.w + chip.gap))));

  const line = (size: number) => ({ width: innerWidth, height: size * 3 });
  const kind = [request.video ? 'VIDEO' : 'IMAGE', size.ratio, request.style === 'manga' ? 'MANGA' : ''].filter(Boolean).join('  ·  ');
  const [eyebrow, label, codes] = await Promise.all([
    setText(kind, line(type(0.02)), { face: 'bold', size: type(0.02), colour: theme.accent, tracking: 0.16 }),
    setText(`Atelier preview · ${request.model} · ${output.width}×${output.height} · not a generative model`, line(type(0.018)), {
      face: 'mono',
      size: type(0.018),
      colour: theme.muted,
    }),
    Promise.all(swatches.map((c) => setText(hex(c).toUpperCase(), { width: chip.w, height: codeSize * 1.5 }, { face: 'mono', size: codeSize, colour: theme.muted }))),
  ]);

  // The panel's rows, top to bottom; the prompt gets whatever height is left.
  const codeHeight = Math.max(0, ...codes.map((c) => c?.height ?? 0));
  const above = pad + (eyebrow?.height ?? 0) + gap * 1.3;
  const below = gap * 1.2 + hairline + gap * 1.2 + chip.h + gap * 0.4 + codeHeight + gap * 1.4 + (label?.height ?? 0) + pad;
  const text = clip(request.prompt, PROMPT_CHARS);
  const prompt = await setText(text, { width: innerWidth, height: layout.maxPanelHeight - above - below }, {
    face: 'bold',
    size: unit * (text.length <= 48 ? 0.085 : 0.068),
    colour: theme.text,
  });
  const { panel, open } = layout.place(above + (prompt?.height ?? 0) + below);
  const x = panel.x + pad;
  const promptTop = panel.y + above;
  const rule = Math.round(promptTop + (prompt?.height ?? 0) + gap * 1.2);
  const chipTop = rule + hairline + gap * 1.2;

  const chips = swatches
    .map((c, i) => `<rect x="${x + i * (chip.w + chip.gap)}" y="${chipTop}" width="${chip.w}" height="${chip.h}" rx="${Math.round(chip.h * 0.2)}" fill="${hex(c)}"/>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${backdrop({ width, height, focus: open, rand }, palette)}
<rect x="${panel.x}" y="${panel.y}" width="${panel.w}" height="${panel.h}" rx="${Math.round(unit * 0.026)}" fill="${theme.panel}" fill-opacity="${theme.panelOpacity}" stroke="#ffffff" stroke-opacity="0.12" stroke-width="${hairline}"/>
<rect x="${x}" y="${rule}" width="${panel.w - 2 * pad}" height="${hairline}" fill="${theme.muted}" fill-opacity="0.35"/>${chips}</svg>`;

  const thumbnails = await refThumbnails(refs, { x: open.x + margin, y: open.y + margin, w: open.w - 2 * margin, h: open.h - 2 * margin }, Math.round(unit * 0.15));
  const layers: Layer[] = [...thumbnails];
  const place = (image: RawImage | null, left: number, top: number) => image && layers.push({ image, left, top });
  place(eyebrow, x, panel.y + pad);
  place(prompt, x, promptTop);
  codes.forEach((c, i) => place(c, x + i * (chip.w + chip.gap), chipTop + chip.h + gap * 0.4));
  place(label, x, panel.y + panel.h - pad - (label?.height ?? 0));
  return composite({ svg }, layers);
}
