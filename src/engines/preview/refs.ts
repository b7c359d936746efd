import { thumbnail, type Layer } from '../../media/image.js';
import type { ImageInput } from '../engine.js';
import type { Box } from './layout.js';

/**
 * The refs as square thumbnails in a white frame `outer` pixels wide, filled in rows
 * from the top-right corner of `box`; refs that do not fit are left out.
 */
export async function refThumbnails(refs: ImageInput[], box: Box, outer: number): Promise<Layer[]> {
  const border = Math.max(2, Math.round(outer * 0.033));
  const size = outer - 2 * border;
  const pitch = outer + Math.round(outer * 0.12);
  const perRow = Math.floor((box.w + pitch - outer) / pitch);
  const rows = Math.floor((box.h + pitch - outer) / pitch);
  if (perRow < 1 || rows < 1 || size < 8) return [];
  const shown = refs.slice(0, perRow * rows);
  const radius = Math.round(size * 0.06);
  const frame = `<svg xmlns="http://www.w3.org/2000/svg" width="${outer}" height="${outer}"><rect width="${outer}" height="${outer}" rx="${radius + border}" fill="#ffffff"/></svg>`;
  const images = await Promise.all(shown.map((ref) => thumbnail(ref.bytes, size, size, radius)));
  // Rows hug the right edge and read left to right, first ref first.
  return images.flatMap((image, i) => {
    const row = Math.floor(i / perRow);
    const inRow = Math.min(perRow, images.length - row * perRow);
    const left = box.x + box.w - outer - (inRow - 1 - (i % perRow)) * pitch;
    const top = box.y + row * pitch;
    return [
      { image: { svg: frame }, left, top },
      { image, left: left + border, top: top + border },
    ];
  });
}
