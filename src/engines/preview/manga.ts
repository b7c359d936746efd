import { greyPixels, type RawImage } from '../../media/image.js';

/**
 * Manga finish: greyscale, a 45° screentone whose dots grow with darkness, and ink
 * lines where the Sobel gradient is strong. The result is pure black and white.
 */
export async function mangaFinish(picture: RawImage): Promise<RawImage> {
  const { data, width, height } = await greyPixels(picture);
  const out = Buffer.alloc(width * height);
  const cell = Math.max(5, Math.round(Math.min(width, height) / 200));
  const half = cell / 2;
  const inkThreshold = 90;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const lum = data[i];
      let ink = false;
      if (x > 0 && y > 0 && x < width - 1 && y < height - 1) {
        const a = data[i - width - 1], b = data[i - width], c = data[i - width + 1];
        const d = data[i - 1], f = data[i + 1];
        const g = data[i + width - 1], h = data[i + width], k = data[i + width + 1];
        const gx = c + 2 * f + k - a - 2 * d - g;
        const gy = g + 2 * h + k - a - 2 * b - c;
        ink = Math.abs(gx) + Math.abs(gy) > inkThreshold * 2;
      }
      if (ink || lum < 28) continue; // black
      if (lum > 235) {
        out[i] = 255;
        continue;
      }
      const u = (x + y) * Math.SQRT1_2;
      const v = (x - y) * Math.SQRT1_2;
      const du = (((u % cell) + cell) % cell) - half;
      const dv = (((v % cell) + cell) % cell) - half;
      const radius = half * 1.25 * Math.sqrt(1 - lum / 255);
      out[i] = du * du + dv * dv < radius * radius ? 0 : 255;
    }
  }
  return { data: out, width, height, channels: 1 };
}
