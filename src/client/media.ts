import path from 'node:path';
import { VIDEO_MEDIA_TYPES } from '../media/sniff-video.js';

export { sniffMediaType as mediaTypeOf } from '../media/media-type.js';

const EXTENSIONS: Record<string, keyof typeof VIDEO_MEDIA_TYPES> = { '.mp4': 'mp4', '.m4v': 'mp4', '.mov': 'mov', '.webm': 'webm' };

/** A video media type guessed from a URL's path, for refs whose bytes we don't hold. */
export function videoTypeOfUrl(url: string): string | null {
  const container = EXTENSIONS[path.extname(new URL(url).pathname).toLowerCase()];
  return container ? VIDEO_MEDIA_TYPES[container] : null;
}
