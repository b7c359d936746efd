import { greyPixels, type RawImage } from '../../media/image.js';

/**
 * A screentone threshold map for one tile of a 45° dot grid (dot centres at
 * (i·p, j·p) with i + j even, so the tile is 2p square). Each pixel's threshold is
 * its rank by distance to the nearest centre, so dots grow from the centres and
 * the share of black pixels in a tile equals the tone's darkness.
 */
function screentone(p: number): Uint8Array {
  const side = 2 * p;
  const centres = [[0, 0], [side, 0], [0, side], [side, side], [p, p]];
  const distances = Array.from({ length: side * side }, (_, i) => {
    const x = (i % side) + 0.5;
    const y = Math.floor(i / side) + 0.5;
    return { i, d: Math.min(...centres.map(([cx, cy]) => Math.hypot(x - cx, y - cy))) };
  });
  distances.sort((a, b) => a.d - b.d || a.i - b.i);
  const map = new Uint8Array(side * side);
  distances.forEach(({ i }, rank) => (map[i] = Math.round(((rank + 0.5) / distances.length) * 255)));
  return map;
}

/** A lookup table that stretches the 2nd..98th percentile of the tones over 0..255. */
function stretch(grey: Buffer): Uint8Array {
  const histogram = new Uint32Array(256);
  for (const v of grey) histogram[v]++;
  const percentile = (q: number) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) if ((seen += histogram[v]) >= q * grey.length) return v;
    return 255;
  };
  const low = percentile(0.02);
  const high = Math.max(low + 1, percentile(0.98));
  return Uint8Array.from({ length: 256 }, (_, v) => Math.max(0, Math.min(255, Math.round(((v - low) * 255) / (high - low)))));
}

const PAPER = 240; // at or above: plain white
const SOLID = 24; // at or below: solid black
const INK = 80; // Sobel magnitude (|gx| + |gy|) that draws a line

/**
 * The manga finish: greyscale with its contrast stretched, a screentone whose dots
 * follow the tone, and ink lines on the dark side of strong edges (Sobel on a
 * softened copy, kept where the Laplacian says the pixel is darker than its
 * neighbours, so light strokes such as text are outlined rather than eaten).
 * The result is pure black and white.
 */
export async function mangaFinish(picture: RawImage): Promise<RawImage> {
  const unit = Math.min(picture.width, picture.height);
  // The softening sets the line weight: about 4 px on a 2K picture.
  const [tone, soft] = await Promise.all([greyPixels(picture), greyPixels(picture, Math.max(0.8, unit / 600))]);
  const { width, height } = tone;
  const p = Math.max(3, Math.round(unit / 240));
  const side = 2 * p;
  const map = screentone(p);
  const curve = stretch(tone.data);
  const out = Buffer.alloc(width * height, 255);
  const g = soft.data;
  for (let y = 0; y < height; y++) {
    const row = (y % side) * side;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (x > 0 && y > 0 && x < width - 1 && y < height - 1) {
        const a = g[i - width - 1], b = g[i - width], c = g[i - width + 1];
        const d = g[i - 1], f = g[i + 1];
        const h = g[i + width - 1], k = g[i + width], m = g[i + width + 1];
        const gx = c + 2 * f + m - a - 2 * d - h;
        const gy = h + 2 * k + m - a - 2 * b - c;
        if ((gx < 0 ? -gx : gx) + (gy < 0 ? -gy : gy) > INK && b + d + f + k > 4 * g[i]) {
          out[i] = 0;
          continue;
        }
      }
      const lum = curve[tone.data[i]];
      if (lum >= PAPER) continue;
      if (lum <= SOLID || 255 - lum > map[row + (x % side)]) out[i] = 0;
    }
  }
  return { data: out, width, height, channels: 1 };
}
