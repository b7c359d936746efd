import type { VideoResolution } from './schemas.js';

/** Output size: the short side is the resolution, rounded to even pixels, at the ratio. */
export function videoSize(resolution: VideoResolution, ratio: { w: number; h: number }): { width: number; height: number } {
  const short = Number.parseInt(resolution, 10);
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  return ratio.w >= ratio.h
    ? { width: even((short * ratio.w) / ratio.h), height: even(short) }
    : { width: even(short), height: even((short * ratio.h) / ratio.w) };
}

export function parseRatio(ratio: string): { w: number; h: number } {
  const [w, h] = ratio.split(':').map(Number);
  return { w, h };
}
