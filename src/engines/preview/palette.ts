import type { Rgb } from '../../media/image.js';

export interface Palette {
  /** Five colours shown as swatches: the refs' dominant colours first, then a harmony. */
  swatches: Rgb[];
  /** A dark shade of the key hue, for the background. */
  deep: Rgb;
  /** A mid-dark tone the background gradient runs to. */
  ground: Rgb;
  /** A light tint of the key hue, for small text on the dark panel. */
  accent: Rgb;
}

export function hsl(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return { r: f(0), g: f(8), b: f(4) };
}

/** Hue in degrees and saturation 0..1 of a colour. */
function hueOf({ r, g, b }: Rgb): { hue: number; saturation: number } {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const chroma = max - min;
  if (chroma === 0) return { hue: 0, saturation: 0 };
  const sector = max === r ? ((g - b) / chroma + 6) % 6 : max === g ? (b - r) / chroma + 2 : (r - g) / chroma + 4;
  const lightness = (max + min) / 510;
  return { hue: sector * 60, saturation: chroma / 255 / (1 - Math.abs(2 * lightness - 1)) };
}

export const hex = ({ r, g, b }: Rgb) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** Hue offsets of the colour schemes the seed chooses from. */
const SCHEMES = [
  [0, 30, -30, 180], // analogous, with a complement
  [0, 120, 240, 60], // triadic
  [0, 150, 210, 30], // split-complementary
  [0, 180, 20, 200], // complementary pairs
];

/**
 * A palette keyed on one hue: the first ref's colour when it has one, else a hue from
 * the seed. The refs' real colours take the first swatches; a seeded scheme fills the rest.
 */
export function buildPalette(rand: () => number, refColours: Rgb[]): Palette {
  const key = refColours.map(hueOf).find((c) => c.saturation > 0.2);
  const hue = key ? key.hue : rand() * 360;
  const sat = 0.55 + rand() * 0.3;
  const scheme = SCHEMES[Math.floor(rand() * SCHEMES.length)];
  const at = (offset: number) => (hue + offset + 360) % 360;
  const harmony = [
    hsl(at(scheme[0]), sat, 0.55),
    hsl(at(scheme[1]), sat, 0.5),
    hsl(at(scheme[2]), sat * 0.85, 0.66),
    hsl(at(scheme[3]), sat * 0.9, 0.42),
    hsl(hue, sat * 0.5, 0.2),
  ];
  return {
    swatches: [...refColours.slice(0, 3), ...harmony].slice(0, 5),
    deep: hsl(hue, sat * 0.45, 0.11),
    ground: hsl(hue, sat * 0.6, 0.3),
    accent: hsl(hue, 0.8, 0.8),
  };
}
