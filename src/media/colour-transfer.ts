/** sRGB-encoded 8-bit value → linear light, 0..1. */
export const SRGB_TO_LINEAR = Float32Array.from({ length: 256 }, (_, i) => {
  const c = i / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

/** Linear BT.709 RGB → linear BT.2020 RGB (ITU-R BT.2087). */
export const BT709_TO_BT2020 = [0.6274, 0.3293, 0.0433, 0.0691, 0.9195, 0.0114, 0.0164, 0.088, 0.8956];

/** Linear BT.709 RGB → ACES2065-1 (AP0), D65 → D60 adapted. */
export const BT709_TO_AP0 = [0.4397, 0.383, 0.1774, 0.0898, 0.8134, 0.0968, 0.0175, 0.1116, 0.8708];

/** SMPTE ST 2084 (PQ) inverse EOTF: absolute nits → 0..1 signal. */
export function pqEncode(nits: number): number {
  const y = Math.max(0, nits) / 10000;
  const m1 = 0.1593017578125;
  const m2 = 78.84375;
  const c1 = 0.8359375;
  const c2 = 18.8515625;
  const c3 = 18.6875;
  const p = y ** m1;
  return ((c1 + c2 * p) / (1 + c3 * p)) ** m2;
}

/** SDR reference white in an HDR signal (ITU-R BT.2408). */
export const SDR_WHITE_NITS = 203;
