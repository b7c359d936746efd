import type { Layer } from '../../contract/index.js';
import { dominantColours } from '../../media/colours.js';
import { hex } from '../preview/palette.js';
import type { Decomposition } from './decompose.js';

/** A foreground with more than this share of partly transparent pixels has a soft edge (hair, fur, glass). */
const SOFT_EDGE_SHARE = 0.1;

/**
 * The `layer` metadata of both layers. The segmentation model finds what stands out
 * without naming it, so labels are roles and descriptions say what was measured.
 */
export function describeLayers(parts: Decomposition): [Layer, Layer] {
  const full = { x: 0, y: 0, width: parts.width, height: parts.height };
  const backgroundColour = dominantColours(parts.background, 3, 1)[0];
  const backdrop = `The scene behind the subject, with the subject's area filled in from its surroundings${
    backgroundColour ? `; mostly ${hex(backgroundColour)}` : ''
  }.`;
  const background: Layer = { index: 1, label: 'background', description: backdrop, alpha_hint: 'none', bounds: full };

  if (parts.bounds.width === 0) {
    return [
      { index: 0, label: 'subject', description: 'No distinct subject stood out from the background; this layer is empty.', alpha_hint: 'hard', bounds: parts.bounds },
      background,
    ];
  }
  const subjectColour = dominantColours(parts.foreground, 4, 1)[0];
  const { x, y, width, height } = parts.bounds;
  const edge = parts.softness > SOFT_EDGE_SHARE ? 'soft' : 'hard';
  const description =
    `The main subject, cut out along a ${edge} edge: ` +
    `${Math.max(1, Math.round(parts.coverage * 100))}% of the frame, ${width}×${height} px at (${x}, ${y})` +
    `${subjectColour ? `, mostly ${hex(subjectColour)}` : ''}.`;
  return [
    { index: 0, label: 'subject', description, alpha_hint: edge, bounds: parts.bounds },
    background,
  ];
}
