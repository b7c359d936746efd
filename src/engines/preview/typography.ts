import { createRequire } from 'node:module';
import path from 'node:path';
import { renderText } from '../../media/image.js';

const fonts = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FACES = {
  regular: { fontfile: path.join(fonts, 'DejaVuSans.ttf'), font: 'DejaVu Sans' },
  bold: { fontfile: path.join(fonts, 'DejaVuSans-Bold.ttf'), font: 'DejaVu Sans Bold' },
  mono: { fontfile: path.join(fonts, 'DejaVuSansMono.ttf'), font: 'DejaVu Sans Mono' },
};

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Shortens on a word boundary, with an ellipsis. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max * 0.8))}…`;
}

/** Text set in DejaVu (shipped with the package, so no system font is needed), fitted to the box. */
export function setText(text: string, box: { width: number; height: number; colour: string; face?: keyof typeof FACES }) {
  const markup = `<span foreground="${box.colour}">${escape(text)}</span>`;
  return renderText(markup, { ...FACES[box.face ?? 'regular'], width: Math.max(1, Math.round(box.width)), height: Math.max(1, Math.round(box.height)) });
}
