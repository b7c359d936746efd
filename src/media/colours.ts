export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Squared distance in RGB; cheap and good enough to tell colours apart. */
const colourDistance = (a: Rgb, b: Rgb) => (a.r - b.r) ** 2 + (a.g - b.g) ** 2 + (a.b - b.b) ** 2;

/**
 * The most common distinct colours of interleaved pixels (3 or 4 channels):
 * a 4-bit-per-channel histogram, each bin reported as the mean of its pixels,
 * skipping bins too close to a colour already picked. Transparent pixels are ignored.
 */
export function dominantColours(data: Buffer, channels: number, count: number): Rgb[] {
  const bins = new Map<number, { n: number; r: number; g: number; b: number }>();
  for (let i = 0; i + 2 < data.length; i += channels) {
    if (channels === 4 && data[i + 3] < 128) continue;
    const key = ((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4);
    const bin = bins.get(key) ?? { n: 0, r: 0, g: 0, b: 0 };
    bin.n++;
    bin.r += data[i];
    bin.g += data[i + 1];
    bin.b += data[i + 2];
    bins.set(key, bin);
  }
  // Ties broken by bin key, so the order never depends on Map insertion.
  const ranked = [...bins.entries()].sort(([ka, a], [kb, b]) => b.n - a.n || ka - kb);
  const picked: Rgb[] = [];
  for (const [, bin] of ranked) {
    const colour = { r: Math.round(bin.r / bin.n), g: Math.round(bin.g / bin.n), b: Math.round(bin.b / bin.n) };
    if (picked.every((p) => colourDistance(p, colour) > 48 ** 2)) picked.push(colour);
    if (picked.length === count) break;
  }
  return picked;
}
