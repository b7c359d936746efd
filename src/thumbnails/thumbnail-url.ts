import { parseOutputs } from '../generations/index.js';
import { signBlob, URL_TTL_MS } from '../storage/index.js';
import type { generations } from '../store/index.js';

/** A thumbnail's short side in pixels: a gallery tile's width at 2× density, give or take. */
export const THUMBNAIL_SIDE = 384;

const KINDS: Record<string, 'image' | 'video'> = { png: 'image', jpg: 'image', jpeg: 'image', webp: 'image', gif: 'image', mp4: 'video', mov: 'video', webm: 'video' };

/** What a blob holds, from its name: an image or a video a thumbnail can be made of, or null (EXR, anything else). */
export function thumbnailKind(key: string): 'image' | 'video' | null {
  const extension = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase();
  return (extension && KINDS[extension]) || null;
}

/** Where a blob's thumbnail is cached: beside it, so whatever removes the blob's folder removes it too. */
export const thumbnailKey = (key: string) => `${key}.thumb-${THUMBNAIL_SIDE}.webp`;

/** Expiries are rounded up to this, so a gallery refreshed within it gets the same URLs and the browser's cached images. */
const EXPIRY_STEP_S = 600;

/** `/v1/thumbnails/<key>?expires=…&signature=…`: signed like a blob URL, over the thumbnail's own key; valid 1 h to 1 h 10 min. */
export function thumbnailPath(secret: Buffer, key: string, now: number): string {
  const expires = Math.ceil((now + URL_TTL_MS) / 1000 / EXPIRY_STEP_S) * EXPIRY_STEP_S;
  const encodedKey = key.split('/').map(encodeURIComponent).join('/');
  return `/v1/thumbnails/${encodedKey}?expires=${expires}&signature=${signBlob(secret, thumbnailKey(key), expires)}`;
}

/**
 * Extension: the thumbnails of a page of generations, by generation id, one per output in the
 * order of `output` (null where none can be made). Completed generations only.
 */
export function pageThumbnails(rows: generations.GenerationView[], baseUrl: string, secret: Buffer, now: number): Record<string, Array<string | null>> {
  const thumbnails: Record<string, Array<string | null>> = {};
  for (const row of rows) {
    if (row.state !== 'completed') continue;
    thumbnails[row.id] = parseOutputs(row.output).map((o) => (thumbnailKind(o.key) ? baseUrl + thumbnailPath(secret, o.key, now) : null));
  }
  return thumbnails;
}
