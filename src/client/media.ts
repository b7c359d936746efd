import path from 'node:path';
import { sniffFormat } from '../media/sniff.js';

export const VIDEO_TYPES: Record<string, string> = { '.mp4': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm', '.m4v': 'video/mp4' };

/** The media type of a file's bytes: images by their magic bytes, videos by extension; null if neither. */
export function mediaTypeOf(file: string, bytes: Buffer): string | null {
  const image = sniffFormat(bytes);
  if (image) return `image/${image}`;
  return VIDEO_TYPES[path.extname(file).toLowerCase()] ?? null;
}
