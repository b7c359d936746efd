/** One image pinned at an output frame: the start or end frame, a keyframe, an extend anchor. */
export interface Anchor {
  frame: number;
  rgb: Buffer;
}

/** `out = a·(1−t) + b·t`, per byte. */
export function mix(a: Buffer, b: Buffer, t: number, out: Buffer = Buffer.allocUnsafe(a.length)): Buffer {
  if (t <= 0 || t >= 1) {
    (t <= 0 ? a : b).copy(out);
    return out;
  }
  const wb = Math.round(t * 256);
  const wa = 256 - wb;
  for (let i = 0; i < a.length; i++) out[i] = (a[i] * wa + b[i] * wb + 128) >> 8;
  return out;
}

/** A crop of `width×height` at (x, y) from a packed rgb24 picture `stride` pixels wide. */
export function cropRgb(source: Buffer, stride: number, x: number, y: number, width: number, height: number): Buffer {
  const out = Buffer.allocUnsafe(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * stride + x) * 3;
    source.copy(out, row * width * 3, from, from + width * 3);
  }
  return out;
}

/**
 * Frame `i` of the clip: anchors show exactly at their frames; between two anchors the
 * picture crossfades from one to the other with the moving card rising in the middle;
 * before the first and after the last it hands over to the moving card. A loop returns
 * to its start anchor, so the last frame equals the first.
 */
export function composeFrame(i: number, count: number, anchors: Anchor[], motion: (i: number) => Buffer, loop: boolean): Buffer {
  if (anchors.length === 0) return motion(i);
  const exact = anchors.find((a) => a.frame === i);
  if (exact) return exact.rgb;
  const before = [...anchors].reverse().find((a) => a.frame < i);
  const after = anchors.find((a) => a.frame > i);
  const last = count - 1;
  if (before && after) {
    const t = (i - before.frame) / (after.frame - before.frame);
    return mix(mix(before.rgb, after.rgb, t), motion(i), 0.35 * Math.sin(Math.PI * t));
  }
  if (before) {
    const t = (i - before.frame) / (last - before.frame);
    return mix(before.rgb, motion(i), loop ? Math.sin(Math.PI * t) : t);
  }
  return mix(motion(i), after!.rgb, i / after!.frame);
}
