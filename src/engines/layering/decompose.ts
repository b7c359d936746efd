import { fillHoles } from '../../media/inpaint.js';

/** Mask values at or below this are model noise, not foreground. */
const NOISE_FLOOR = 8;
/** Below this alpha the foreground colour can't be recovered reliably; the source colour stands. */
const UNMIX_MIN_ALPHA = 16;

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Decomposition {
  width: number;
  height: number;
  /** Interleaved RGBA: the foreground's own colours, alpha from the mask. */
  foreground: Buffer;
  /** Interleaved RGB: the source with the foreground's area filled from around it. */
  background: Buffer;
  /** The foreground's visible pixels; zero-sized when nothing stood out. */
  bounds: Bounds;
  /** Share of the frame the foreground covers, alpha-weighted, 0..1. */
  coverage: number;
  /** Share of the foreground's pixels that are partly transparent, 0..1. */
  softness: number;
}

/**
 * Splits an RGB image into a foreground and a background that composite back to it.
 * The background is filled wherever the foreground has any alpha. The foreground's
 * colour is solved from `source = a·F + (1 − a)·B` against that filled background,
 * which both takes the old background's tint off soft edges and makes the pair
 * reconstruct the source.
 */
export async function decompose(source: Buffer, mask: Buffer, width: number, height: number): Promise<Decomposition> {
  const pixels = width * height;
  const alpha = Buffer.alloc(pixels);
  for (let i = 0; i < pixels; i++) alpha[i] = mask[i] <= NOISE_FLOOR ? 0 : mask[i];

  const background = await fillHoles(source, width, height, alpha);
  const foreground = Buffer.alloc(pixels * 4);
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  let covered = 0;
  let visible = 0;
  let partial = 0;
  for (let i = 0; i < pixels; i++) {
    const a = alpha[i];
    foreground[4 * i + 3] = a;
    if (a === 0) continue;
    const share = a / 255;
    for (let c = 0; c < 3; c++) {
      const s = source[3 * i + c];
      foreground[4 * i + c] = a < UNMIX_MIN_ALPHA ? s : clampByte((s - (1 - share) * background[3 * i + c]) / share);
    }
    const x = i % width;
    const y = (i - x) / width;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    covered += share;
    visible++;
    if (a < 230) partial++;
  }
  return {
    width,
    height,
    foreground,
    background,
    bounds: visible === 0 ? { x: 0, y: 0, width: 0, height: 0 } : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 },
    coverage: covered / pixels,
    softness: visible === 0 ? 0 : partial / visible,
  };
}

const clampByte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
