import { createRequire } from 'node:module';
import path from 'node:path';
import { renderText, type RawImage } from '../../media/image.js';

// DejaVu ships as a package, so the card never depends on the host's fonts.
const fonts = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
/** Faces at 72 pt, so that the render dpi equals the em size in pixels. */
const FACES = {
  regular: { fontfile: path.join(fonts, 'DejaVuSans.ttf'), font: 'DejaVu Sans 72' },
  bold: { fontfile: path.join(fonts, 'DejaVuSans-Bold.ttf'), font: 'DejaVu Sans Bold 72' },
  mono: { fontfile: path.join(fonts, 'DejaVuSansMono.ttf'), font: 'DejaVu Sans Mono 72' },
};

export interface TextStyle {
  face: keyof typeof FACES;
  /** Em size in pixels; long text shrinks below it to fit the box. */
  size: number;
  colour: string;
  /** Extra space between letters, in ems. */
  tracking?: number;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Flattens whitespace, drops control characters and shortens on a word boundary, with an ellipsis. */
export function clip(text: string, max: number): string {
  const flat = Array.from(text.replace(/\s+/g, ' ').replace(/\p{Cc}/gu, '').trim());
  if (flat.length <= max) return flat.join('');
  const cut = flat.slice(0, max).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > cut.length * 0.7 ? cut.slice(0, space) : cut).replace(/[\s,.;:–-]+$/, '')}…`;
}

/**
 * Text set in a box: at the style's size when it fits, else at the largest size
 * that does. Returns the ink, cropped; null when the box is too small to hold text.
 */
export async function setText(text: string, box: { width: number; height: number }, style: TextStyle): Promise<RawImage | null> {
  const width = Math.floor(box.width);
  const height = Math.floor(box.height);
  if (width < 8 || height < 6 || text.trim() === '') return null;
  // letter_spacing is in 1/1024 units that sharp's text renderer applies as pixels, whatever the dpi.
  const spacing = style.tracking ? ` letter_spacing="${Math.round(style.tracking * style.size * 1024)}"` : '';
  const markup = `<span foreground="${style.colour}"${spacing}>${escape(text)}</span>`;
  const options = { ...FACES[style.face], width };
  const atSize = await renderText(markup, { ...options, dpi: Math.max(1, Math.round(style.size)) });
  if (atSize.height <= height && atSize.width <= width) return atSize;
  return renderText(markup, { ...options, height });
}
