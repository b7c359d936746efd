import sharp from 'sharp';

/** The media port: the only module that calls sharp. */

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif';

export type ProbeResult =
  | { ok: true; format: ImageFormat; width: number; height: number }
  | { ok: false; failureCode: 'unsupported_format' | 'corrupt_input' | 'image_too_large'; reason: string };

export interface PixelLimits {
  maxPixels: number;
  maxSide: number;
}

sharp.cache(false);

/** Sniffs the magic bytes; nothing else decides the format. */
export function sniffFormat(bytes: Buffer): ImageFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'webp';
  }
  return null;
}

/**
 * Checks an input: format by magic bytes, size from the header alone (so a
 * decompression bomb is refused before any pixel is decoded), then a full decode.
 */
export async function probeImage(bytes: Buffer, limits: PixelLimits): Promise<ProbeResult> {
  const format = sniffFormat(bytes);
  if (!format) return { ok: false, failureCode: 'unsupported_format', reason: 'not a JPEG, PNG, WebP or GIF image' };
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    return { ok: false, failureCode: 'corrupt_input', reason: `the ${format.toUpperCase()} header could not be read` };
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    return {
      ok: false,
      failureCode: 'image_too_large',
      reason: `image is ${width}×${height} pixels; the limit is ${limits.maxSide} per side and ${limits.maxPixels / 1e6} MP`,
    };
  }
  if (format === 'gif' && (meta.pages ?? 1) > 1) {
    return { ok: false, failureCode: 'unsupported_format', reason: 'animated GIFs are not supported; send a still image' };
  }
  try {
    await sharp(bytes, { failOn: 'truncated', limitInputPixels: limits.maxPixels }).stats();
  } catch {
    return { ok: false, failureCode: 'corrupt_input', reason: `the ${format.toUpperCase()} data is truncated or damaged` };
  }
  return { ok: true, format, width, height };
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export async function dominantColour(bytes: Buffer): Promise<Rgb> {
  const { dominant } = await sharp(bytes).stats();
  return dominant;
}

/** Decoded pixels passed between steps, so nothing is re-encoded on the way. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** A layer to place on a canvas. */
export interface Layer {
  image: RawImage;
  left: number;
  top: number;
}

async function raw(image: sharp.Sharp): Promise<RawImage> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

const load = (image: RawImage) => sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });

export function renderSvg(svg: string): Promise<RawImage> {
  return raw(sharp(Buffer.from(svg)).ensureAlpha());
}

/** Pango-rendered text in the given font file, wrapped to `width`, sized to fit `height`. */
export function renderText(markup: string, options: { fontfile: string; font: string; width: number; height: number }): Promise<RawImage> {
  return raw(sharp({ text: { text: markup, rgba: true, wrap: 'word', ...options } }));
}

/** Fills width×height, cropping to the centre. */
export function coverResize(bytes: Buffer, width: number, height: number): Promise<RawImage> {
  return raw(sharp(bytes).rotate().resize(width, height, { fit: 'cover' }).ensureAlpha());
}

export function composite(base: RawImage, layers: Layer[]): Promise<RawImage> {
  return raw(
    load(base).composite(
      layers.map(({ image, left, top }) => ({
        input: image.data,
        raw: { width: image.width, height: image.height, channels: image.channels },
        left,
        top,
      })),
    ),
  );
}

/** The source image, colour-graded: hue turned, saturation and brightness scaled, a tint blended in. */
export async function gradeImage(bytes: Buffer, grade: { hue: number; saturation: number; brightness: number; tint: Rgb }): Promise<RawImage> {
  const graded = await raw(sharp(bytes).rotate().modulate({ hue: grade.hue, saturation: grade.saturation, brightness: grade.brightness }).ensureAlpha());
  const tint = { width: graded.width, height: graded.height, channels: 4 as const, background: { ...grade.tint, alpha: 0.22 } };
  return raw(load(graded).composite([{ input: { create: tint }, blend: 'soft-light' }]));
}

/** 8-bit luminance pixels, row-major. */
export function greyPixels(image: RawImage): Promise<RawImage> {
  return raw(load(image).greyscale());
}

export function encodeImage(image: RawImage, format: 'png' | 'jpeg'): Promise<Buffer> {
  const pixels = load(image);
  if (image.channels === 2 || image.channels === 4) pixels.removeAlpha();
  return format === 'png'
    ? pixels.png({ compressionLevel: 2, adaptiveFiltering: false, palette: false }).toBuffer()
    : pixels.jpeg({ quality: 90, chromaSubsampling: '4:2:0' }).toBuffer();
}
