import { apiError } from './errors.js';
import type { ImageRef } from './schemas.js';

/** Exactly one of `url`, `data`, `generation_id`, `file_id`; `media_type` with `data`. */
function checkRefShape(ref: ImageRef, path: string): void {
  const given = (['url', 'data', 'generation_id', 'file_id'] as const).filter((k) => ref[k] != null);
  if (given.length === 0) throw apiError('REF_NEITHER', { path });
  if (given.length > 1) {
    const urlAndData = given.length === 2 && given.includes('url') && given.includes('data');
    throw apiError(urlAndData ? 'REF_BOTH' : 'REF_EXACTLY_ONE', { path });
  }
  if (ref.data != null && !ref.media_type) throw apiError('REF_MEDIA_TYPE_REQUIRED', { path });
}

/** An image-position ref: a declared media type must be an image type. */
export function checkImageRef(ref: ImageRef, path: string): void {
  checkRefShape(ref, path);
  if (ref.media_type && !ref.media_type.toLowerCase().startsWith('image/') && ref.file_id == null) {
    throw apiError('REF_MEDIA_TYPE_NOT_IMAGE', { path, media_type: ref.media_type });
  }
}

/** The edit/reframe source: a video by url (with a video/* media_type), data, generation or file. */
export function checkVideoSource(ref: ImageRef, path: string): void {
  checkRefShape(ref, path);
  if (ref.url != null && !ref.media_type) throw apiError('REF_VIDEO_URL_MEDIA_TYPE', { path });
  if (ref.media_type && (ref.url != null || ref.data != null) && !ref.media_type.toLowerCase().startsWith('video/')) {
    throw apiError('REF_MEDIA_TYPE_NOT_VIDEO', { path, media_type: ref.media_type });
  }
}
