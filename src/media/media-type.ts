import { sniffFormat, type ImageFormat } from './sniff.js';
import { sniffVideo, VIDEO_MEDIA_TYPES } from './sniff-video.js';

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

/** A media type without its parameters, in lower case: `Image/PNG; x=1` → `image/png`. */
export const baseMediaType = (mediaType: string): string => mediaType.split(';')[0].trim().toLowerCase();

/** The format a declared media type names (parameters ignored), or null for any other type. */
export function declaredFormat(mediaType: string): ImageFormat | null {
  return FORMATS[baseMediaType(mediaType)] ?? null;
}

export const FORMAT_NAMES: Record<ImageFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF' };

/** The media type the first bytes themselves name (an image format or a video container), or null. */
export function sniffMediaType(head: Buffer): string | null {
  const image = sniffFormat(head);
  if (image) return `image/${image}`;
  const video = sniffVideo(head);
  return video ? VIDEO_MEDIA_TYPES[video] : null;
}
