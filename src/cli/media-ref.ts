import { readFile } from 'node:fs/promises';
import { mediaTypeOf, videoTypeOfUrl } from '../client/media.js';
import type { ImageRef } from '../contract/schemas.js';
import { UsageError } from './usage-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An ImageRef from a command-line value: an http(s) URL, a generation id, `file:<id>` for an
 * uploaded file, or a local path sent inline as base64.
 */
export async function mediaRef(value: string): Promise<ImageRef> {
  if (/^https?:\/\//i.test(value)) {
    const video = videoTypeOfUrl(value);
    return video ? { url: value, media_type: video } : { url: value };
  }
  if (UUID.test(value)) return { generation_id: value };
  if (value.startsWith('file:') && UUID.test(value.slice(5))) return { file_id: value.slice(5) };
  const bytes = await readFile(value).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`${value}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  const mediaType = mediaTypeOf(bytes);
  if (!mediaType) throw new UsageError(`${value}: not a JPEG, PNG, WebP, GIF or MP4/MOV/WebM file`);
  return { data: bytes.toString('base64'), media_type: mediaType };
}
