import type { Rgb } from '../../media/image.js';

export function hsl(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return { r: f(0), g: f(8), b: f(4) };
}

export const hex = ({ r, g, b }: Rgb) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

export const luminance = ({ r, g, b }: Rgb) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;

/**
 * Five colours: a harmony built on a hue from the seed (base, two analogous, a
 * complement, a deep shade), with the refs' real dominant colours taking the first places.
 */
export function buildPalette(rand: () => number, refColours: Rgb[]): Rgb[] {
  const hue = rand() * 360;
  const sat = 0.55 + rand() * 0.3;
  const harmony = [
    hsl(hue, sat, 0.52),
    hsl((hue + 32) % 360, sat, 0.42),
    hsl((hue + 328) % 360, sat * 0.9, 0.62),
    hsl((hue + 180) % 360, sat * 0.8, 0.55),
    hsl(hue, sat * 0.6, 0.16),
  ];
  return [...refColours.slice(0, 4), ...harmony].slice(0, 5);
}
