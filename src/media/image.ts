import sharp from 'sharp';
import { dominantColours as histogramColours, type Rgb } from './colours.js';
import { sizeProblem, type PixelLimits } from './limits.js';
import { sniffFormat, type ImageFormat } from './sniff.js';
import { trailingBytes } from './trailing-data.js';
import { headerSize } from './header-size.js';

/** The media port: the only module that calls sharp. */

export type { ImageFormat } from './sniff.js';
export type { PixelLimits } from './limits.js';
export type { Rgb } from './colours.js';

export type ProbeResult =
  | { ok: true; format: ImageFormat; width: number; height: number }
  | { ok: false; failureCode: 'unsupported_format' | 'corrupt_input' | 'image_too_large'; reason: string };

// Inputs are seen once; libvips' operation cache would only hold on to memory.
sharp.cache(false);

/**
 * Checks an input in order of cost: the magic bytes, then the header (so a
 * decompression bomb is refused before a pixel is decoded), then a full decode.
 * Width and height are as displayed, after EXIF orientation.
 */
export async function probeImage(bytes: Buffer, limits: PixelLimits): Promise<ProbeResult> {
  const header = await readHeader(bytes, limits);
  if (!header.ok) return header;
  const { format, name, meta, width, height } = header;
  if (format === 'gif' && (meta.pages ?? 1) > 1) return refuse('unsupported_format', 'animated GIF; still GIF only');
  const trailing = trailingBytes(bytes, format);
  if (trailing) return refuse('unsupported_format', `${trailing} bytes of other data follow the end of the ${name} image`);

  try {
    // Every pixel is read, into a small output. Not stats(): under concurrent calls it
    // sometimes reports success for data that fails to decode (seen with libvips 8.17).
    await sharp(bytes, { failOn: 'error', limitInputPixels: limits.maxPixels }).resize(64, 64, { fit: 'fill' }).raw().toBuffer();
  } catch {
    return refuse('corrupt_input', `the ${name} data is truncated or damaged`);
  }
  return { ok: true, format, width, height };
}

/**
 * A cheaper check for files a trusted backend made (engine outputs): the magic bytes, the
 * header's dimensions within the limits, and a structure that runs to its end (a truncated file
 * has none). It doesn't decode the pixels: for a 2K image that is most of the cost.
 */
export async function checkImageFile(bytes: Buffer, limits: PixelLimits): Promise<ProbeResult> {
  const format = sniffFormat(bytes);
  // The header's own bytes give the size of most files without a call into libvips.
  const plain = format && headerSize(bytes, format);
  const header = plain ? { ok: true as const, format, name: NAMES[format], ...plain } : await readHeader(bytes, limits);
  if (!header.ok) return header;
  const { name, width, height } = header;
  const tooLarge = sizeProblem(width, height, limits);
  if (tooLarge) return refuse('image_too_large', tooLarge);
  if (trailingBytes(bytes, header.format) === null) return refuse('corrupt_input', `the ${name} data is truncated or damaged`);
  return { ok: true, format: header.format, width, height };
}

const NAMES: Record<ImageFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF' };

/** The magic bytes, then the header: dimensions as displayed, within the limits. */
async function readHeader(
  bytes: Buffer,
  limits: PixelLimits,
): Promise<Extract<ProbeResult, { ok: false }> | { ok: true; format: ImageFormat; name: string; meta: sharp.Metadata; width: number; height: number }> {
  const format = sniffFormat(bytes);
  if (!format) return refuse('unsupported_format', 'not a JPEG, PNG, WebP or GIF image');
  const name = NAMES[format];
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    return refuse('corrupt_input', `the ${name} header could not be read`);
  }
  const { width, height } = meta.autoOrient ?? meta;
  if (!width || !height) return refuse('corrupt_input', `the ${name} header has no dimensions`);
  const tooLarge = sizeProblem(width, height, limits);
  if (tooLarge) return refuse('image_too_large', tooLarge);
  return { ok: true, format, name, meta, width, height };
}

const refuse = (failureCode: 'unsupported_format' | 'corrupt_input' | 'image_too_large', reason: string): Extract<ProbeResult, { ok: false }> => ({
  ok: false,
  failureCode,
  reason,
});

/** Decoded pixels passed between steps, so nothing is re-encoded on the way. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** Something to place on a canvas: decoded pixels, or SVG markup rendered in place. */
export interface Layer {
  image: RawImage | { svg: string };
  left: number;
  top: number;
  blend?: 'over' | 'multiply' | 'soft-light';
}

async function raw(image: sharp.Sharp): Promise<RawImage> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

const load = (image: RawImage | { svg: string }) =>
  'svg' in image ? sharp(Buffer.from(image.svg)) : sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });

/** The `count` most common distinct colours, read from a small copy. */
export async function dominantColours(bytes: Buffer, count: number): Promise<Rgb[]> {
  const { data, channels } = await raw(sharp(bytes).resize(64, 64, { fit: 'inside', kernel: 'nearest' }));
  return histogramColours(data, channels, count);
}

/**
 * Pango markup set in one font file, wrapped at `width` (between words, inside a
 * word only when it is too long for a line): at `dpi` when given,
 * else the largest size that fits `height`. The result is cropped to the ink.
 */
export function renderText(markup: string, options: { fontfile: string; font: string; width: number; height?: number; dpi?: number }): Promise<RawImage> {
  return raw(sharp({ text: { ...options, text: markup, rgba: true, wrap: 'word-char' } }));
}

/** The image, upright, cropped to fill width×height, corners rounded to `radius`. */
export function thumbnail(bytes: Buffer, width: number, height: number, radius = 0): Promise<RawImage> {
  const mask = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" rx="${radius}" fill="#fff"/></svg>`;
  return raw(
    sharp(bytes)
      .rotate()
      .resize(width, height, { fit: 'cover' })
      .flatten({ background: '#ffffff' })
      .ensureAlpha()
      .composite([{ input: Buffer.from(mask), blend: 'dest-in' }]),
  );
}

/** A WebP copy for galleries: upright, its short side at most `side` (never enlarged), alpha kept. */
export async function webpThumbnail(bytes: Buffer, side: number): Promise<{ bytes: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes)
    .rotate()
    .resize(side, side, { fit: 'outside', withoutEnlargement: true })
    .webp({ quality: 72, effort: 2 })
    .toBuffer({ resolveWithObject: true });
  return { bytes: data, width: info.width, height: info.height };
}

export interface Grade {
  /** Hue turn in degrees. */
  hue: number;
  saturation: number;
  brightness: number;
  /** Contrast around mid-grey; 1 leaves it unchanged. */
  contrast: number;
}

/** The image, upright, colour-graded: hue turned, saturation, brightness and contrast changed. */
export function gradeImage(bytes: Buffer, grade: Grade): Promise<RawImage> {
  const { hue, saturation, brightness, contrast } = grade;
  return raw(
    sharp(bytes)
      .rotate()
      .flatten({ background: '#ffffff' })
      .modulate({ hue: Math.round(hue), saturation, brightness })
      .linear(contrast, 128 * (1 - contrast)),
  );
}

export function composite(base: RawImage | { svg: string }, layers: Layer[]): Promise<RawImage> {
  return raw(
    load(base).composite(
      layers.map(({ image, left, top, blend }) => ({
        input: 'svg' in image ? Buffer.from(image.svg) : image.data,
        ...('svg' in image ? {} : { raw: { width: image.width, height: image.height, channels: image.channels } }),
        left: Math.round(left),
        top: Math.round(top),
        blend: blend ?? 'over',
      })),
    ),
  );
}

/** 8-bit luminance, one channel, softened by a Gaussian blur of sigma `blur` when given. */
export function greyPixels(image: RawImage, blur = 0): Promise<RawImage> {
  const grey = load(image).removeAlpha().greyscale();
  return raw(blur >= 0.3 ? grey.blur(blur) : grey);
}

/** Deterministic encoders: fixed JPEG quality; PNG tuned for speed over size. */
export function encodeImage(image: RawImage, format: 'png' | 'jpeg'): Promise<Buffer> {
  const pixels = load(image);
  if (image.channels === 2 || image.channels === 4) pixels.removeAlpha();
  return format === 'png'
    ? pixels.png({ compressionLevel: 2, adaptiveFiltering: false, palette: false }).toBuffer()
    : pixels.jpeg({ quality: 90, chromaSubsampling: '4:2:0', mozjpeg: false }).toBuffer();
}

/** An encoded image re-encoded as PNG (alpha kept) or JPEG (on white): a backend's file in the format asked for. */
export function reencodeImage(bytes: Buffer, format: 'png' | 'jpeg'): Promise<Buffer> {
  const pixels = sharp(bytes).rotate();
  return format === 'png'
    ? pixels.png({ compressionLevel: 6 }).toBuffer()
    : pixels.flatten({ background: '#ffffff' }).jpeg({ quality: 92, chromaSubsampling: '4:2:0' }).toBuffer();
}

/**
 * An image as a `side`×`side` RGBA PNG, upright and fitted whole inside the square with transparent
 * padding (what dall-e-2's edits take), and whether the image itself had no transparent pixel.
 */
export async function squareRgbaPng(bytes: Buffer, side: number): Promise<{ png: Buffer; opaque: boolean }> {
  const { isOpaque } = await sharp(bytes).stats();
  const png = await sharp(bytes)
    .rotate()
    .ensureAlpha()
    .resize(side, side, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
  return { png, opaque: isOpaque };
}

/** A `side`×`side` PNG transparent everywhere: a mask that lets dall-e-2 repaint the whole image. */
export function clearPng(side: number): Promise<Buffer> {
  return sharp({ create: { width: side, height: side, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
}

/** Packed sRGB rgb24 pixels at exactly width×height: decoded bytes (upright) or raw pixels, cropped to fill. */
export async function rgbFrame(image: Buffer | RawImage, width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.isBuffer(image) ? sharp(image).rotate() : load(image);
  const { data } = await raw(pixels.flatten({ background: '#000000' }).removeAlpha().resize(width, height, { fit: 'cover' }));
  return data;
}

/** The image, upright, on white, squeezed to side×side 8-bit RGB: what an image classifier takes. */
export function classifierPixels(bytes: Buffer, side: number): Promise<Buffer> {
  return sharp(bytes, { pages: 1 })
    .rotate()
    .resize(side, side, { fit: 'fill' })
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer();
}
