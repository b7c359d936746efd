import type { Rgb } from '../../media/image.js';
import { hex } from './palette.js';

/** Where a motif may draw, and with what. */
export interface MotifFrame {
  width: number;
  height: number;
  /** The open area beside the text panel, where the motif is centred. */
  focus: { x: number; y: number; w: number; h: number };
  colours: Rgb[];
  rand: () => number;
}

const r1 = (n: number) => Math.round(n * 10) / 10;
const pick = <T>(items: T[], rand: () => number) => items[Math.floor(rand() * items.length)];

/** A Bauhaus grid: each tile holds a quarter disc, half disc, disc, triangle or nothing. */
function tiles({ width, height, colours, rand }: MotifFrame): string {
  const unit = Math.min(width, height);
  const cell = Math.round(unit / (3 + Math.floor(rand() * 3)));
  const shapes: string[] = [];
  for (let y = 0; y < height; y += cell) {
    for (let x = 0; x < width; x += cell) {
      const fill = `fill="${hex(pick(colours, rand))}" fill-opacity="${r1(0.55 + rand() * 0.4)}"`;
      const turn = `transform="rotate(${90 * Math.floor(rand() * 4)} ${x + cell / 2} ${y + cell / 2})"`;
      const kind = Math.floor(rand() * 5);
      if (kind === 0) shapes.push(`<path d="M${x} ${y}h${cell}a${cell} ${cell} 0 0 1 -${cell} ${cell}z" ${fill} ${turn}/>`);
      if (kind === 1) shapes.push(`<path d="M${x} ${y + cell / 2}a${cell / 2} ${cell / 2} 0 0 1 ${cell} 0z" ${fill} ${turn}/>`);
      if (kind === 2) shapes.push(`<circle cx="${x + cell / 2}" cy="${y + cell / 2}" r="${r1(cell * 0.42)}" ${fill}/>`);
      if (kind === 3) shapes.push(`<path d="M${x} ${y}h${cell}v${cell}z" ${fill} ${turn}/>`);
    }
  }
  return shapes.join('');
}

/** Concentric rings around a point in the open area, alternating colour and weight. */
function rings({ width, height, focus, colours, rand }: MotifFrame): string {
  const unit = Math.min(width, height);
  const cx = r1(focus.x + focus.w * (0.3 + rand() * 0.4));
  const cy = r1(focus.y + focus.h * (0.3 + rand() * 0.4));
  const step = unit * (0.045 + rand() * 0.04);
  const shapes = [`<circle cx="${cx}" cy="${cy}" r="${r1(step * 1.6)}" fill="${hex(colours[0])}"/>`];
  for (let i = 2; step * i < Math.hypot(width, height); i++) {
    const weight = step * (i % 3 === 0 ? 0.55 : 0.18);
    shapes.push(
      `<circle cx="${cx}" cy="${cy}" r="${r1(step * i)}" fill="none" stroke="${hex(colours[i % colours.length])}" stroke-width="${r1(weight)}" stroke-opacity="${r1(0.75 - i * 0.02)}"/>`,
    );
  }
  return shapes.join('');
}

/** Broad diagonal bands with a low sun in the open area. */
function bands({ width, height, focus, colours, rand }: MotifFrame): string {
  const unit = Math.min(width, height);
  const angle = Math.round(-60 + rand() * 120);
  const reach = Math.hypot(width, height);
  const stripes: string[] = [];
  for (let x = -reach, i = 0; x < reach * 2; i++) {
    const w = unit * (0.05 + rand() * 0.16);
    stripes.push(`<rect x="${r1(x)}" y="${-reach}" width="${r1(w)}" height="${r1(reach * 3)}" fill="${hex(colours[i % colours.length])}" fill-opacity="${r1(0.25 + rand() * 0.4)}"/>`);
    x += w + unit * (0.02 + rand() * 0.12);
  }
  const sun = `<circle cx="${r1(focus.x + focus.w * (0.25 + rand() * 0.5))}" cy="${r1(focus.y + focus.h * (0.3 + rand() * 0.4))}" r="${r1(Math.min(focus.w, focus.h) * (0.22 + rand() * 0.12))}" fill="${hex(colours[1])}"/>`;
  return `<g transform="rotate(${angle} ${width / 2} ${height / 2})">${stripes.join('')}</g>${sun}`;
}

/** Large overlapping discs, each with a thin orbit. */
function orbits({ width, height, focus, colours, rand }: MotifFrame): string {
  const unit = Math.min(width, height);
  const shapes: string[] = [];
  for (let i = 0; i < 4; i++) {
    const cx = r1(focus.x + focus.w * rand());
    const cy = r1(focus.y + focus.h * rand());
    const r = unit * (0.12 + rand() * 0.22);
    shapes.push(`<circle cx="${cx}" cy="${cy}" r="${r1(r)}" fill="${hex(colours[i % colours.length])}" fill-opacity="${r1(0.6 + rand() * 0.35)}"/>`);
    shapes.push(
      `<circle cx="${cx}" cy="${cy}" r="${r1(r * (1.25 + rand() * 0.4))}" fill="none" stroke="#ffffff" stroke-opacity="0.35" stroke-width="${r1(unit / 500)}"/>`,
    );
  }
  return shapes.join('');
}

export const MOTIFS = { tiles, rings, bands, orbits };
