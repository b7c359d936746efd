import { blurRgb } from './raster.js';

/**
 * Fills the pixels where `hole` is non-zero from the pixels around them, leaving every
 * other pixel as it was. A push-pull pyramid: weighted 2×2 averages of the known pixels
 * going down until nothing is unknown, then bilinear upsampling coming back up, each level
 * keeping what it knew. A light blur evens out the seams the coarse levels leave.
 * The fill is drawn from beyond a thin margin around the hole, whose pixels tend to carry
 * the removed object's fringe (or resampling ringing).
 */
export async function fillHoles(rgb: Buffer, width: number, height: number, hole: Uint8Array): Promise<Buffer> {
  const margin = Math.max(2, Math.round(Math.min(width, height) / 256));
  const unknown = grow(hole, width, height, margin);
  const base: Level = { width, height, colour: new Float32Array(rgb.length), weight: new Float32Array(width * height) };
  for (let i = 0; i < hole.length; i++) {
    if (unknown[i]) continue;
    base.weight[i] = 1;
    for (let c = 0; c < 3; c++) base.colour[3 * i + c] = rgb[3 * i + c];
  }
  const pyramid = [base];
  while (pyramid.at(-1)!.width > 1 || pyramid.at(-1)!.height > 1) pyramid.push(push(pyramid.at(-1)!));
  const top = pyramid.at(-1)!;
  if (top.weight[0] === 0) top.colour.fill(128); // nothing known at all: mid grey
  top.weight[0] = 1;
  for (let k = pyramid.length - 2; k >= 0; k--) pull(pyramid[k], pyramid[k + 1]);

  const filled = Buffer.from(rgb);
  for (let i = 0; i < hole.length; i++) {
    if (!hole[i]) continue;
    for (let c = 0; c < 3; c++) filled[3 * i + c] = Math.round(base.colour[3 * i + c]);
  }
  const smooth = await blurRgb(filled, width, height, Math.max(1, Math.min(width, height) / 256));
  for (let i = 0; i < hole.length; i++) {
    if (!hole[i]) continue;
    for (let c = 0; c < 3; c++) filled[3 * i + c] = smooth[3 * i + c];
  }
  return filled;
}

interface Level {
  width: number;
  height: number;
  /** Interleaved RGB, not weighted. */
  colour: Float32Array;
  /** 0 = unknown … 1 = known. */
  weight: Float32Array;
}

/** Half the size: each pixel the weighted mean of its 2×2 block, its weight their sum up to 1. */
function push(fine: Level): Level {
  const width = Math.ceil(fine.width / 2);
  const height = Math.ceil(fine.height / 2);
  const coarse: Level = { width, height, colour: new Float32Array(width * height * 3), weight: new Float32Array(width * height) };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let w = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < 2; dy++) {
        const fy = 2 * y + dy;
        if (fy >= fine.height) continue;
        for (let dx = 0; dx < 2; dx++) {
          const fx = 2 * x + dx;
          if (fx >= fine.width) continue;
          const i = fy * fine.width + fx;
          const wi = fine.weight[i];
          w += wi;
          r += wi * fine.colour[3 * i];
          g += wi * fine.colour[3 * i + 1];
          b += wi * fine.colour[3 * i + 2];
        }
      }
      const j = y * width + x;
      if (w > 0) {
        coarse.colour[3 * j] = r / w;
        coarse.colour[3 * j + 1] = g / w;
        coarse.colour[3 * j + 2] = b / w;
      }
      coarse.weight[j] = Math.min(1, w);
    }
  }
  return coarse;
}

/** Blends the (complete) coarse level, upsampled bilinearly, under what the fine level knew. */
function pull(fine: Level, coarse: Level): void {
  for (let y = 0; y < fine.height; y++) {
    const cy = Math.min(coarse.height - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(cy);
    const y1 = Math.min(coarse.height - 1, y0 + 1);
    const ty = cy - y0;
    for (let x = 0; x < fine.width; x++) {
      const i = y * fine.width + x;
      const w = fine.weight[i];
      if (w >= 1) continue;
      const cx = Math.min(coarse.width - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(cx);
      const x1 = Math.min(coarse.width - 1, x0 + 1);
      const tx = cx - x0;
      const a = y0 * coarse.width;
      const b = y1 * coarse.width;
      for (let c = 0; c < 3; c++) {
        const top = coarse.colour[3 * (a + x0) + c] * (1 - tx) + coarse.colour[3 * (a + x1) + c] * tx;
        const bottom = coarse.colour[3 * (b + x0) + c] * (1 - tx) + coarse.colour[3 * (b + x1) + c] * tx;
        fine.colour[3 * i + c] = w * fine.colour[3 * i + c] + (1 - w) * (top * (1 - ty) + bottom * ty);
      }
      fine.weight[i] = 1;
    }
  }
}

/** The mask grown by `radius` pixels in every direction (a square window), as 0/1. */
export function grow(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const across = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) sweep(mask, across, y * width, 1, width, radius);
  const grown = new Uint8Array(mask.length);
  for (let x = 0; x < width; x++) sweep(across, grown, x, width, height, radius);
  return grown;
}

/** One line of a window-max: `to[i]` is 1 if any `from` within `radius` along the line is set. */
function sweep(from: Uint8Array, to: Uint8Array, start: number, step: number, length: number, radius: number): void {
  let last = -Infinity; // position of the last set pixel seen going forward
  for (let k = 0; k < length; k++) {
    if (from[start + k * step]) last = k;
    if (k - last <= radius) to[start + k * step] = 1;
  }
  last = Infinity;
  for (let k = length - 1; k >= 0; k--) {
    if (from[start + k * step]) last = k;
    if (last - k <= radius) to[start + k * step] = 1;
  }
}
