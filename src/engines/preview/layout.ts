export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface CardLayout {
  unit: number;
  margin: number;
  panelWidth: number;
  /** The tallest the panel may grow. */
  maxPanelHeight: number;
  /** The panel, sized to its content, and the open area left for the motif and refs. */
  place(panelHeight: number): { panel: Box; open: Box };
}

/**
 * The text panel sits in the bottom-left corner and is as tall as its content.
 * Wide cards give it a column on the left; square and tall ones the full width.
 */
export function cardLayout(width: number, height: number, safe?: Box): CardLayout {
  const unit = Math.min(width, height);
  const margin = Math.round(unit * 0.06);
  // The panel stays inside `safe` (a video's always-visible, title-safe area), else inside the margins.
  const area = safe ?? { x: margin, y: margin, w: width - 2 * margin, h: height - 2 * margin };
  const wide = width / height >= 1.6;
  const panelWidth = Math.min(area.w, wide ? Math.round(Math.min(width * 0.46, height * 1.05)) : area.w);
  const maxPanelHeight = Math.min(area.h, wide ? area.h : Math.round(Math.min(height * 0.62, width * 1.1)));
  return {
    unit,
    margin,
    panelWidth,
    maxPanelHeight,
    place(panelHeight) {
      const h = Math.min(Math.round(panelHeight), maxPanelHeight);
      const panel = { x: area.x, y: area.y + area.h - h, w: panelWidth, h };
      const open = wide ? { x: area.x + panelWidth, y: 0, w: width - area.x - panelWidth, h: height } : { x: 0, y: 0, w: width, h: panel.y };
      return { panel, open };
    },
  };
}
