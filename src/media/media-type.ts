import type { ImageFormat } from './sniff.js';

const FORMATS: Record<string, ImageFormat> = {
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/png': 'png',
  'image/x-png': 'png',
  'image/apng': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/** The format a declared media type names (parameters ignored), or null for any other type. */
export function declaredFormat(mediaType: string): ImageFormat | null {
  return FORMATS[mediaType.split(';')[0].trim().toLowerCase()] ?? null;
}

export const FORMAT_NAMES: Record<ImageFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF' };
