import { BT709_TO_AP0, BT709_TO_BT2020, pqEncode, SDR_WHITE_NITS, SRGB_TO_LINEAR } from '../../../media/colour-transfer.js';
import type { LinearImage } from '../../../media/exr.js';

const PQ_STEPS = 4096;
/** Linear BT.2020 (SDR white = 1) → 16-bit PQ code, sampled finely enough that steps stay below 10-bit precision. */
const PQ_TABLE = Uint16Array.from({ length: PQ_STEPS + 1 }, (_, i) => Math.round(pqEncode((i / PQ_STEPS) * SDR_WHITE_NITS) * 65535));

/** An sRGB rgb24 frame as BT.2020 primaries, PQ transfer, rgb48le: SDR white sits at 203 nits. */
export function toPqBt2020(rgb: Buffer): Buffer {
  const out = new Uint16Array(rgb.length); // little-endian hosts only, as rgb48le expects
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = BT709_TO_BT2020;
  const lin = SRGB_TO_LINEAR;
  const k = PQ_STEPS;
  for (let i = 0; i < rgb.length; i += 3) {
    const r = lin[rgb[i]];
    const g = lin[rgb[i + 1]];
    const b = lin[rgb[i + 2]];
    out[i] = PQ_TABLE[((m0 * r + m1 * g + m2 * b) * k + 0.5) | 0];
    out[i + 1] = PQ_TABLE[((m3 * r + m4 * g + m5 * b) * k + 0.5) | 0];
    out[i + 2] = PQ_TABLE[((m6 * r + m7 * g + m8 * b) * k + 0.5) | 0];
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** An sRGB rgb24 frame in linear ACES2065-1, for the EXR export. */
export function toAcesLinear(rgb: Buffer, width: number, height: number): LinearImage {
  const out = new Float32Array(width * height * 3);
  const m = BT709_TO_AP0;
  const lin = SRGB_TO_LINEAR;
  for (let i = 0; i < out.length; i += 3) {
    const r = lin[rgb[i]];
    const g = lin[rgb[i + 1]];
    const b = lin[rgb[i + 2]];
    out[i] = m[0] * r + m[1] * g + m[2] * b;
    out[i + 1] = m[3] * r + m[4] * g + m[5] * b;
    out[i + 2] = m[6] * r + m[7] * g + m[8] * b;
  }
  return { width, height, rgb: out };
}
