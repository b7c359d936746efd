import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageRef } from '../contract/schemas.js';
import { sniffFormat } from '../media/sniff.js';
import { UsageError } from './usage-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VIDEO_TYPES: Record<string, string> = { '.mp4': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm', '.m4v': 'video/mp4' };

/** The media type of a local file: images by their magic bytes, videos by extension. */
export function mediaTypeOf(file: string, bytes: Buffer): string {
  const image = sniffFormat(bytes);
  if (image) return `image/${image}`;
  const video = VIDEO_TYPES[path.extname(file).toLowerCase()];
  if (video) return video;
  throw new UsageError(`${file}: not a JPEG, PNG, WebP, GIF or MP4/MOV/WebM file`);
}

/**
 * An ImageRef from a command-line value: an http(s) URL, a generation id, `file:<id>` for an
 * uploaded file, or a local path sent inline as base64.
 */
export async function mediaRef(value: string): Promise<ImageRef> {
  if (/^https?:\/\//i.test(value)) {
    const video = VIDEO_TYPES[path.extname(new URL(value).pathname).toLowerCase()];
    return video ? { url: value, media_type: video } : { url: value };
  }
  if (UUID.test(value)) return { generation_id: value };
  if (value.startsWith('file:') && UUID.test(value.slice(5))) return { file_id: value.slice(5) };
  const bytes = await readFile(value).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`${value}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  return { data: bytes.toString('base64'), media_type: mediaTypeOf(value, bytes) };
}
