import { baseMediaType, declaredFormat } from '../media/media-type.js';
import { VIDEO_MEDIA_TYPES } from '../media/sniff-video.js';

export type FileKind = 'image' | 'video';

const VIDEO_TYPES = new Set(Object.values(VIDEO_MEDIA_TYPES));

/** What a file's declared media type makes it; null for a type files can't hold. */
export function fileKind(mimeType: string): FileKind | null {
  if (declaredFormat(mimeType)) return 'image';
  return VIDEO_TYPES.has(baseMediaType(mimeType)) ? 'video' : null;
}

export interface FileLimits {
  maxImageBytes: number;
  maxVideoBytes: number;
}

export const capFor = (kind: FileKind, limits: FileLimits) => (kind === 'image' ? limits.maxImageBytes : limits.maxVideoBytes);
