import { MOTIFS, type MotifFrame } from './motifs.js';
import { hex, type Palette } from './palette.js';

/** SVG for the card's background: a seeded linear gradient, then one seeded geometric motif. */
export function backdrop(frame: Omit<MotifFrame, 'colours'>, palette: Palette): string {
  const angle = Math.round(frame.rand() * 360);
  const motifs = Object.values(MOTIFS);
  const motif = motifs[Math.floor(frame.rand() * motifs.length)];
  return `<defs><linearGradient id="ground" gradientTransform="rotate(${angle} 0.5 0.5)"><stop offset="0" stop-color="${hex(palette.deep)}"/><stop offset="1" stop-color="${hex(palette.ground)}"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#ground)"/>${motif({ ...frame, colours: palette.swatches.slice(0, 4) })}`;
}
