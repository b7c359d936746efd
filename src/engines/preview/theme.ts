import { hex, type Palette } from './palette.js';

/** Colours for the text panel and what is set on it. */
export interface Theme {
  panel: string;
  panelOpacity: number;
  text: string;
  muted: string;
  accent: string;
}

/**
 * Light text on a dark panel, which keeps contrast over any background. Manga
 * makes everything pure white on pure black, so the screentone leaves text intact.
 */
export function themeFor(palette: Palette, manga: boolean): Theme {
  if (manga) return { panel: '#000000', panelOpacity: 1, text: '#ffffff', muted: '#ffffff', accent: '#ffffff' };
  return { panel: '#0c0c11', panelOpacity: 0.8, text: '#f7f5f0', muted: '#b9b6ae', accent: hex(palette.accent) };
}
