import sharp from 'sharp';

/** Raw pixel I/O for engines that work pixel by pixel (layering). */

/** The image, upright, resized to exactly width×height, as interleaved 8-bit RGB. */
export function decodeRgb(bytes: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(bytes).rotate().resize(width, height, { fit: 'fill' }).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer();
}

/** A lossless PNG of interleaved RGB (3 channels) or RGBA (4 channels, alpha kept). */
export function encodePng(data: Buffer, width: number, height: number, channels: 3 | 4): Promise<Buffer> {
  return sharp(data, { raw: { width, height, channels } }).png({ compressionLevel: 2, adaptiveFiltering: false, palette: false }).toBuffer();
}

/** Interleaved RGB softened by a Gaussian blur of sigma `sigma`. */
export function blurRgb(data: Buffer, width: number, height: number, sigma: number): Promise<Buffer> {
  return sharp(data, { raw: { width, height, channels: 3 } }).blur(sigma).raw().toBuffer();
}
